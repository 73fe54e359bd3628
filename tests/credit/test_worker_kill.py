"""A real worker process SIGKILLed in the middle of a base rating run: a new worker and a re-dispatch finish it,
every eligible customer is rated exactly once and no chunk is applied twice.

The worker is a subprocess (`celery worker --pool=solo`) on the pytest database and on a queue of the test's
own. It imports this module (`--include`), and with CRM_TEST_CHUNK_SECONDS set each base chunk first sleeps
that long inside its transaction (holding its chunk), so the kill lands while a chunk is in progress.
"""

import dataclasses
import importlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from config.celery import app
from core import batches
from core.models import BatchChunk, BatchRun
from core.tasks import dispatch_run
from credit.batches import BASE_KIND
from credit.models import Rating
from credit.services import published_model
from customers.models import Customer
from tests.factories import LineFactory

SLOW_ENV = "CRM_TEST_CHUNK_SECONDS"
CUSTOMERS, CHUNK, CHUNK_SECONDS = 60, 10, 1.0
PERIOD = "2026-11"


def _slow_base_chunks(seconds: float):
    """Worker side: each base chunk sleeps inside its transaction, after claiming its chunk, then does the work."""
    spec = batches.REGISTRY[BASE_KIND]

    def slow_work(lo, hi, run):
        time.sleep(seconds)
        return spec.work(lo, hi, run)

    batches.REGISTRY[BASE_KIND] = dataclasses.replace(spec, work=slow_work)


if os.environ.get(SLOW_ENV):  # only in the worker subprocess started below
    _slow_base_chunks(float(os.environ[SLOW_ENV]))

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL for a real worker"),
    pytest.mark.django_db(transaction=True),
]


def worker_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    host = quote(db["HOST"] or "localhost", safe="")
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"



class Worker:
    """One `celery worker` subprocess on the test database, consuming only `queue`."""

    def __init__(self, queue: str, name: str, log_dir: Path):
        self.name, self.log_path = f"{name}@test", log_dir / f"{name}.log"
        env = {**os.environ, "DATABASE_URL": worker_database_url(), SLOW_ENV: str(CHUNK_SECONDS)}
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--pool=solo",
             "--concurrency=1", "-Q", queue, "-n", self.name, "--include", __name__, "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=self.log_path.open("w"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"worker exited:\n{self.log()}"
            if app.control.ping(destination=[self.name], timeout=0.5):
                return self
        raise AssertionError(f"worker not ready after {timeout} s:\n{self.log()}")

    def kill(self) -> int:
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text()[-3000:]


def _drop_queue(queue: str):
    """Purge the queue and forget its unacknowledged messages (the killed worker's chunk)."""
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_purge(queue)
        client = channel.client
        for tag, raw in client.hscan_iter(channel.unacked_key):
            if json.loads(raw)[-1] == queue:
                client.hdel(channel.unacked_key, tag)
                client.zrem(channel.unacked_index_key, tag)


@pytest.fixture
def queue():
    """A queue of the test's own: no other worker on the broker takes its chunks, and nothing is left behind."""
    name = f"test-worker-kill-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, name
    _drop_queue(name)
    yield name
    app.conf.task_always_eager, app.conf.task_default_queue = previous
    _drop_queue(name)


@pytest.fixture
def small_chunks():
    """Plan the base run in chunks of CHUNK customer ids (planning happens in this process)."""
    spec = batches.REGISTRY[BASE_KIND]
    batches.REGISTRY[BASE_KIND] = dataclasses.replace(spec, chunk_size=CHUNK)
    yield
    batches.REGISTRY[BASE_KIND] = spec


@pytest.fixture
def workers(queue, tmp_path):
    started = []

    def start(name):
        started.append(Worker(queue, name, tmp_path).wait_ready())
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def eligible_customers() -> set[int]:
    """Qualifying unrated customers (joined 2020, one line each). After other transactional tests have flushed
    the database, the default scoring model of the data migration is loaded again."""
    if published_model() is None:
        importlib.import_module("credit.migrations.0002_default_scoring_model").load_default_model(apps, None)
    return {line.customer_id for line in LineFactory.create_batch(CUSTOMERS)}


def wait_for(run: BatchRun, condition, timeout: float, worker) -> BatchRun:
    deadline = time.monotonic() + timeout
    while not condition(run):
        assert time.monotonic() < deadline, f"{run.done_chunks}/{run.total_chunks} after {timeout} s:\n{worker.log()}"
        time.sleep(0.05)
        run.refresh_from_db()
    return run


def test_killed_worker_resumes_and_rates_everyone_exactly_once(queue, small_chunks, workers):
    customers = eligible_customers()
    first = workers("first")
    run = dispatch_run(BASE_KIND, PERIOD)
    assert run.total_chunks == CUSTOMERS // CHUNK

    wait_for(run, lambda r: r.done_chunks >= 1, 30, first)
    assert first.kill() == -signal.SIGKILL
    run.refresh_from_db()
    killed_at = run.done_chunks
    assert 1 <= killed_at < run.total_chunks, "the kill should land in the middle of the run"

    second = workers("second")
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
