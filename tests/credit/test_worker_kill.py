"""A real worker process SIGKILLed in the middle of a base rating run: a new worker and a re-dispatch finish it,
every eligible customer is rated exactly once and no chunk is applied twice (machinery: tests/worker_kill.py)."""

import importlib
import signal

import pytest
from django.apps import apps

from core.models import BatchChunk
from core.tasks import dispatch_run
from credit.batches import BASE_KIND
from credit.models import Rating
from credit.selectors import scoring_model_published
from customers.models import Customer
from tests.factories import LineFactory
from tests.worker_kill import chunks_of, wait_for  # fixtures queue, workers: tests/conftest.py

CUSTOMERS, CHUNK = 60, 10
PERIOD = "2026-11"

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def small_chunks():
    with chunks_of(BASE_KIND, CHUNK):
        yield


def eligible_customers() -> set[int]:
    """Qualifying unrated customers (joined 2020, one line each). After other transactional tests have flushed
    the database, the default scoring model of the data migration is loaded again."""
    if scoring_model_published() is None:
        importlib.import_module("credit.migrations.0002_default_scoring_model").load_default_model(apps, None)
    return {line.customer_id for line in LineFactory.create_batch(CUSTOMERS)}


def test_killed_worker_resumes_and_rates_everyone_exactly_once(queue, small_chunks, workers):
    customers = eligible_customers()
    first = workers("first", BASE_KIND)
    run = dispatch_run(BASE_KIND, PERIOD)
    assert run.total_chunks == CUSTOMERS // CHUNK

    wait_for(run, lambda r: r.done_chunks >= 1, 30, first)
    assert first.kill() == -signal.SIGKILL
    run.refresh_from_db()
    killed_at = run.done_chunks
    assert 1 <= killed_at < run.total_chunks, "the kill should land in the middle of the run"

    second = workers("second", BASE_KIND)
    resumed = dispatch_run(BASE_KIND, PERIOD)  # the same (kind, period): re-sends the pending chunks
    assert resumed.pk == run.pk
    wait_for(run, lambda r: r.status == "done", 40, second)

    assert run.done_chunks == run.total_chunks and run.rows_affected == CUSTOMERS
    ratings = list(Rating.objects.filter(run=run).values_list("customer_id", flat=True))
    assert sorted(ratings) == sorted(customers), "every eligible customer rated exactly once"
    assert not Customer.objects.filter(pk__in=customers, credit_star__isnull=True).exists()
    for chunk in BatchChunk.objects.filter(run=run):
        in_chunk = Rating.objects.filter(run=run, customer_id__gte=chunk.lo, customer_id__lt=chunk.hi).count()
        assert chunk.done and chunk.rows_affected == in_chunk, f"chunk [{chunk.lo}, {chunk.hi}) applied once"
    assert sum(BatchChunk.objects.filter(run=run).values_list("rows_affected", flat=True)) == CUSTOMERS
