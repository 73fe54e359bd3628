"""Shared by the worker-kill tests: a real `celery worker` subprocess on the pytest database and a queue of the
test's own, SIGKILLed while a chunk is in progress.

The worker includes core.ops.slow_chunks: each chunk of the test's batch kind first sleeps inside its transaction
(holding its chunk), so the kill lands mid-chunk.
"""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.celery import all_tasks_to, app
from core import batches
from core.models import BatchRun
from core.ops import slow_chunks

CHUNK_SECONDS = 1.0


def worker_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    host = quote(db["HOST"] or "localhost", safe="")
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One `celery worker` subprocess on the test database, consuming only `queue`."""

    def __init__(self, queue: str, name: str, log_dir: Path, slow_kind: str, *, include: tuple[str, ...] = (),
                 env: dict | None = None):
        self.name, self.log_path = f"{name}@test", log_dir / f"{name}.log"
        env = {**os.environ, "DATABASE_URL": worker_database_url(), slow_chunks.SECONDS_ENV: str(CHUNK_SECONDS),
               slow_chunks.KIND_ENV: slow_kind, **(env or {})}
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--pool=solo",
             "--concurrency=1", "-Q", queue, "-n", self.name, "--include", ",".join((slow_chunks.__name__, *include)),
             "--without-gossip",
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
    _drop_queue(name)
    with all_tasks_to(name):
        yield name
    _drop_queue(name)


@pytest.fixture
def workers(queue, tmp_path):
    """start(name, slow_kind) -> a ready Worker; all are stopped at the end."""
    started = []

    def start(name, slow_kind, **options):
        started.append(Worker(queue, name, tmp_path, slow_kind, **options).wait_ready())
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


@contextmanager
def chunks_of(kind: str, size: int):
    """Plan runs of `kind` in chunks of `size` ids (planning happens in the test process)."""
    spec = batches.REGISTRY[kind]
    batches.REGISTRY[kind] = dataclasses.replace(spec, chunk_size=size)
    try:
        yield
    finally:
        batches.REGISTRY[kind] = spec


def wait_for(run: BatchRun, condition, timeout: float, worker) -> BatchRun:
    deadline = time.monotonic() + timeout
    while not condition(run):
        assert time.monotonic() < deadline, f"{run.done_chunks}/{run.total_chunks} after {timeout} s:\n{worker.log()}"
        time.sleep(0.05)
        run.refresh_from_db()
    return run


def reseed_defaults():
    """What the data migrations seed (schedules, policies, scoring model, templates), again: a transactional test
    flushes the database, and a real worker or beat reads these rows. Each seed is idempotent (get_or_create)."""
    from django.apps import apps
    from django.db.migrations import RunPython
    from django.db.migrations.loader import MigrationLoader

    ours = {"core", "customers", "credit", "arrears", "marketing", "enterprise", "retention"}
    graph = MigrationLoader(connection).graph
    plan = [node for leaf in graph.leaf_nodes() for node in graph.forwards_plan(leaf) if node[0] in ours]
    for key in dict.fromkeys(plan):
        for operation in graph.nodes[key].operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)
