"""The shared batch mechanism: chunked, apply-once, resumable; and a real worker on Redis."""

import threading
import time
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core import batches
from core.models import BatchRun
from core.tasks import dispatch_run
from customers.batches import refresh_avg_spend
from customers.models import Customer
from tests.factories import LineFactory, UsageSummaryFactory


def this_month(offset=0) -> date:
    today = timezone.localdate()
    y, m = divmod(today.year * 12 + today.month - 1 - offset, 12)
    return date(y, m + 1, 1)


def customer_with_bills(*amounts):
    line = LineFactory()
    for offset, amount in enumerate(amounts):
        UsageSummaryFactory(line=line, month=this_month(offset), bill_amount=Decimal(amount))
    return line.customer


@pytest.mark.django_db
def test_spend_is_the_average_of_the_last_six_months():
    customer = customer_with_bills("10.00", "20.00", "30.00", "40.00", "50.00", "60.00", "70.00", "1000.00")
    refresh_avg_spend(customer.pk, customer.pk + 1)
    customer.refresh_from_db()
    # months 0..6 fall inside "6 months back from the start of this month": 7 months, 280/7
    assert customer.avg_monthly_spend == Decimal("40.00")


@pytest.mark.django_db
def test_run_is_chunked_and_applies_once():
    customers = [customer_with_bills("30.00") for _ in range(5)]
    spec = batches.REGISTRY["customers.refresh_spend"]
    batches.REGISTRY["customers.refresh_spend"] = batches.BatchKind(spec.name, spec.table, spec.work, chunk_size=2)
    try:
        run = dispatch_run("customers.refresh_spend", "2026-11-23")
    finally:
        batches.REGISTRY["customers.refresh_spend"] = spec
    run.refresh_from_db()
    assert run.total_chunks == 3 and run.done_chunks == 3 and run.status == "done"
    assert run.rows_affected == 5
    refreshed = Customer.objects.filter(pk__in=[c.pk for c in customers])
    assert all(c.avg_monthly_spend == Decimal("30.00") for c in refreshed)
    # the same period again is a no-op: same run, nothing re-applied
    again = dispatch_run("customers.refresh_spend", "2026-11-23")
    assert again.pk == run.pk and BatchRun.objects.count() == 1
    assert again.rows_affected == 5


@pytest.mark.django_db
def test_a_done_chunk_is_never_redone_and_a_pending_one_resumes():
    customer_with_bills("12.00")
    run = batches.batch_run_plan(kind="customers.refresh_spend", period="resume-test")
    chunk_id = batches.pending_chunk_ids(run)[0]
    assert batches.batch_chunk_run(chunk_id) is True
    assert batches.batch_chunk_run(chunk_id) is False  # second delivery of the same chunk (e.g. after a crash)
    assert batches.pending_chunk_ids(run) == []


@pytest.mark.django_db(transaction=True)
def test_a_chunk_whose_work_fails_stays_pending_and_rolls_back():
    customer = customer_with_bills("12.00")

    def broken(lo, hi, run):
        refresh_avg_spend(lo, hi)
        raise RuntimeError("worker died")

    batches.REGISTRY["test.broken"] = batches.BatchKind("test.broken", "customers_customer", broken, 1000)
    try:
        run = batches.batch_run_plan(kind="test.broken", period="x")
        with pytest.raises(RuntimeError):
            batches.batch_chunk_run(batches.pending_chunk_ids(run)[0])
    finally:
        del batches.REGISTRY["test.broken"]
    customer.refresh_from_db()
    assert customer.avg_monthly_spend == Decimal("0.00")  # the partial update rolled back with the chunk
    assert len(batches.pending_chunk_ids(run)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_two_chunks_of_one_run_at_the_same_time():
    """While one worker is inside chunk A's transaction, another claims and finishes chunk B (no shared lock)."""
    for _ in range(2):
        customer_with_bills("12.00")
    inside_a, release_a = threading.Event(), threading.Event()

    def work(lo, hi, run):
        if lo == first_lo:
            inside_a.set()
            assert release_a.wait(10), "chunk A was never released"
        return refresh_avg_spend(lo, hi)

    batches.REGISTRY["test.parallel"] = batches.BatchKind("test.parallel", "customers_customer", work, 1)
    try:
        run = batches.batch_run_plan(kind="test.parallel", period="x")
        chunk_a, chunk_b = batches.pending_chunk_ids(run)
        first_lo = run.chunks.get(pk=chunk_a).lo
        results = {}

        def worker_a():
            try:
                results["a"] = batches.batch_chunk_run(chunk_a)
            finally:
                connection.close()

        thread = threading.Thread(target=worker_a)
        thread.start()
        assert inside_a.wait(10)
        try:
            results["b"] = batches.batch_chunk_run(chunk_b)  # a second worker, while A holds its chunk
        finally:
            release_a.set()
            thread.join(10)
    finally:
        del batches.REGISTRY["test.parallel"]
    assert results == {"a": True, "b": True}
    run.refresh_from_db()
    assert run.done_chunks == 2 and run.status == "done"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_on_redis_runs_a_batch():
    from celery.contrib.testing.worker import start_worker

    from config.celery import all_tasks_to, app

    customers = [customer_with_bills("25.00", "35.00") for _ in range(4)]
    connection.close()  # the worker thread opens its own connection
    # A queue of its own, so this worker never takes tasks of other processes sharing the broker.
    with all_tasks_to(f"test-{uuid.uuid4().hex[:8]}") as queue, start_worker(
            app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30, queues=[queue]):
        run = dispatch_run("customers.refresh_spend", "worker-test")
        for _ in range(300):
            run.refresh_from_db()
            if run.status == "done":
                break
            time.sleep(0.1)
    assert run.status == "done"
    assert {c.avg_monthly_spend for c in Customer.objects.filter(pk__in=[c.pk for c in customers])} == {
        Decimal("30.00")
    }


RELTUPLES = "SELECT reltuples FROM pg_class WHERE oid = 'customers_customer'::regclass"


@pytest.mark.django_db(transaction=True)
def test_the_worker_that_finishes_a_run_analyses_the_tables_it_rewrote():
    """The spend refresh names customers_customer: its planner statistics follow the night (three chunks; only
    the last chunk's worker analyses, and only once every chunk is done)."""
    with connection.cursor() as cur:
        cur.execute("ANALYZE customers_customer")  # the empty table's statistics: no rows
        for amount in ("10.00", "20.00", "30.00"):
            customer_with_bills(amount)
        run = batches.batch_run_plan(kind="customers.refresh_spend", period="2026-11-30", chunk_size=1)
        chunks = batches.pending_chunk_ids(run)
        for chunk in chunks[:-1]:
            batches.batch_chunk_run(chunk)
        cur.execute(RELTUPLES)
        assert cur.fetchone()[0] <= 0  # not yet: the run is not done
        batches.batch_chunk_run(chunks[-1])
        cur.execute(RELTUPLES)
        assert cur.fetchone()[0] == Customer.objects.count() == 3
