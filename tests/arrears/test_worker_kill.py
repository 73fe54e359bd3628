"""A real worker SIGKILLed in the middle of the nightly evaluation: a new worker and a re-dispatch finish the day,
every line is evaluated exactly once (one barring event each, one late fee each) and no chunk applies twice."""

import signal
from datetime import date
from decimal import Decimal

import pytest

from arrears.evaluation import EVALUATE_KIND
from arrears.models import BarringEvent, Bill, LedgerEntry, LineAccount
from core.models import BatchChunk
from core.tasks import dispatch_run
from tests.factories import LineFactory
from tests.worker_kill import chunks_of, wait_for

LINES, CHUNK = 40, 8
DAY = date(2026, 11, 24)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


def lines_in_arrears() -> set[int]:
    """Lines with an overdue unpaid bill and usable credit below 0: each must be barred and fined once."""
    ids = set()
    for line in LineFactory.create_batch(LINES):
        Bill.objects.create(line=line, customer=line.customer, period=date(2026, 10, 1), amount=Decimal("100.00"),
                            due_date=date(2026, 11, 1))  # 23 days past due: one-way (30 would be two-way)
        ids.add(line.pk)
    return ids


def test_killed_worker_resumes_and_evaluates_every_line_once(small_evaluation_chunks, workers):
    lines = lines_in_arrears()
    first = workers("first", EVALUATE_KIND)
    run = dispatch_run(EVALUATE_KIND, DAY.isoformat())
    assert run.total_chunks == LINES // CHUNK
    wait_for(run, lambda r: r.done_chunks >= 1, 30, first)
    assert first.kill() == -signal.SIGKILL
    run.refresh_from_db()
    assert 1 <= run.done_chunks < run.total_chunks, "the kill should land in the middle of the run"

    second = workers("second", EVALUATE_KIND)
    assert dispatch_run(EVALUATE_KIND, DAY.isoformat()).pk == run.pk
    wait_for(run, lambda r: r.status == "done", 40, second)

    assert run.rows_affected == LINES
    assert sorted(BarringEvent.objects.filter(run=run).values_list("line_id", flat=True)) == sorted(lines)
    assert sorted(LedgerEntry.objects.filter(kind="late_fee").values_list("line_id", flat=True)) == sorted(lines)
    assert set(LineAccount.objects.values_list("state", flat=True)) == {"one_way_barred"}
    # opened at −100.00 (the bill), one day's fee of 0.30: a chunk applied twice would show −100.60
    assert set(LineAccount.objects.filter(pk__in=lines).values_list("balance", flat=True)) == {Decimal("-100.30")}
    for chunk in BatchChunk.objects.filter(run=run):
        events = BarringEvent.objects.filter(run=run, line_id__gte=chunk.lo, line_id__lt=chunk.hi).count()
        assert chunk.done and chunk.rows_affected == events, f"chunk [{chunk.lo}, {chunk.hi}) applied once"


@pytest.fixture
def small_evaluation_chunks():
    with chunks_of(EVALUATE_KIND, CHUNK):
        yield
