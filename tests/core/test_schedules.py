"""The schedules as the scheduler sees them (django-celery-beat rows), manage.py run_night, the two queues and the
stalled-run sweep."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry
from freezegun import freeze_time

from config.celery import all_tasks_to, app
from core import batches
from core.management.commands.run_night import night_jobs
from core.models import BatchChunk, BatchRun
from core.tasks import resume_stalled_runs
from enterprise.models import ServiceDayCollection
from tests.core.test_batches import customer_with_bills

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHTLY = {  # task -> (hour, minute) in Asia/Shanghai, DOMAIN.md and the README
    "arrears.tasks.evaluate_nightly": (0, 30),
    "arrears.tasks.customer_value_monthly": (0, 40),
    "customers.tasks.refresh_status_nightly": (0, 45),
    "enterprise.tasks.snapshot_monthly": (1, 0),
    "customers.tasks.refresh_spend_nightly": (1, 30),
    "retention.tasks.scan_retention_nightly": (1, 30),
    "arrears.tasks.customer_value_deciles_monthly": (1, 40),
    "credit.tasks.rate_base_monthly": (2, 0),
    "enterprise.tasks.segment_nightly": (2, 0),
    "credit.tasks.rate_guidance_half_yearly": (3, 0),
    "credit.tasks.challenger_shadow_nightly": (4, 0),
    "marketing.tasks.refresh_usage_facts_nightly": (4, 10),
    "retention.tasks.churn_challenger_shadow_nightly": (4, 15),
    "credit.tasks.model_stability_monthly": (4, 30),
    "retention.tasks.churn_model_stability_monthly": (4, 30),
    "retention.tasks.churn_model_train_monthly": (5, 0),
    "credit.tasks.star_snapshot_daily": (5, 30),
    "credit.tasks.report_facts_nightly": (5, 35),
    "arrears.tasks.report_facts_nightly": (5, 45),
    "marketing.tasks.results_facts_nightly": (5, 50),
    "workspace.tasks.home_facts_nightly": (5, 55),
    "enterprise.tasks.collect_service_days": (9, 0),
}

pytestmark = pytest.mark.django_db


def test_every_job_is_scheduled_in_shanghai_time_and_the_outbox_and_sweep_every_minute():
    crons = {t.task: t.crontab for t in PeriodicTask.objects.filter(crontab__isnull=False)}
    assert {task: (int(c.hour), int(c.minute)) for task, c in crons.items()} == NIGHTLY
    assert {str(c.timezone) for c in crons.values()} == {"Asia/Shanghai"}
    every_minute = {t.task for t in PeriodicTask.objects.filter(interval__every=60, interval__period="seconds")}
    assert every_minute == {"credit.tasks.sms_dispatch", "core.tasks.resume_stalled_runs"}


@pytest.mark.parametrize("task, last_run, not_yet, due", [
    ("arrears.tasks.evaluate_nightly", "2026-11-23 00:30", "2026-11-24 00:29:30", "2026-11-24 00:30:30"),
    ("credit.tasks.rate_base_monthly", "2026-11-01 02:00", "2026-12-01 01:59:30", "2026-12-01 02:00:30"),
    # daily: the task itself collects only on a collection day of the working-day calendar
    ("enterprise.tasks.collect_service_days", "2026-11-23 09:00", "2026-11-24 08:59:30", "2026-11-24 09:00:30"),
])
def test_the_scheduler_fires_each_job_at_its_shanghai_time(task, last_run, not_yet, due):
    """Beat's own decision (ModelEntry.is_due), with the machine's clock in UTC: the job is due at its local time,
    not at that hour UTC (8 hours off)."""
    entry = ModelEntry(PeriodicTask.objects.get(task=task), app=app)
    entry.last_run_at = datetime.fromisoformat(last_run).replace(tzinfo=SHANGHAI)
    for moment, expected in ((not_yet, False), (due, True)):
        local = datetime.fromisoformat(moment).replace(tzinfo=SHANGHAI)
        with freeze_time(local.astimezone(ZoneInfo("UTC"))):
            assert entry.is_due().is_due is expected, f"{task} at {moment} Shanghai"


def test_run_night_runs_the_nights_jobs_in_the_schedulers_order_and_waits_for_each_run():
    customer_with_bills("25.00", "35.00")
    out = StringIO()
    call_command("run_night", "--date", "2026-11-25", stdout=out)  # a Wednesday, not the 1st
    report = out.getvalue()
    names = [task.name for _, task in night_jobs(date(2026, 11, 25))]
    positions = [report.index(name) for name in names]
    assert positions == sorted(positions) and len(names) == 14
    assert "Monthly base credit rating" not in report
    assert not ServiceDayCollection.objects.exists()  # the daily collection job ran: a Wednesday collects nothing
    runs = BatchRun.objects.filter(period="2026-11-25")
    assert set(runs.values_list("kind", flat=True)) == {
        "arrears.evaluate", "customers.status", "customers.refresh_spend", "retention.verify", "retention.scan",
        "enterprise.segment", "marketing.refresh_usage_facts", "credit.report_facts", "arrears.report_facts",
        "marketing.results_facts", "workspace.home_facts"}
    assert set(runs.values_list("status", flat=True)) == {"done"}
    assert "every job done" in report

    again = StringIO()
    call_command("run_night", "--date", "2026-11-25", stdout=again)  # apply-once: nothing runs twice
    assert BatchRun.objects.filter(period="2026-11-25").count() == 11


def test_run_night_all_takes_the_monthly_and_half_yearly_jobs_too():
    out = StringIO()
    call_command("run_night", "--date", "2026-11-25", "--all", stdout=out)
    assert BatchRun.objects.filter(kind="credit.base", period="2026-11", status="done").exists()
    assert BatchRun.objects.filter(kind="credit.guidance", period="2026-H2", status="done").exists()
    assert len(night_jobs(date(2026, 11, 25), every=True)) == len(NIGHTLY)


def test_run_night_refuses_a_bad_date():
    with pytest.raises(CommandError, match="Bad date"):
        call_command("run_night", "--date", "2026-13-01")


def test_batch_chunks_and_short_tasks_go_to_separate_queues():
    router = app.amqp.router
    assert router.route({}, "core.tasks.run_batch_chunk")["queue"].name == "batch"
    for task in ("credit.tasks.sms_dispatch", "core.tasks.resume_stalled_runs", "arrears.tasks.evaluate_nightly"):
        assert router.route({}, task)["queue"].name == "short", task
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1 and settings.CELERY_TASK_ACKS_LATE
    chunk_task = app.tasks["core.tasks.run_batch_chunk"]
    assert chunk_task.acks_late and chunk_task.reject_on_worker_lost
    with all_tasks_to("private"):  # benches and tests: one private queue for both
        assert app.amqp.router.route({}, "core.tasks.run_batch_chunk")["queue"].name == "private"
    assert app.amqp.router.route({}, "core.tasks.run_batch_chunk")["queue"].name == "batch"


def planned_run(period: str, customers: int = 3) -> BatchRun:
    for _ in range(customers):
        customer_with_bills("10.00")
    spec = batches.REGISTRY["customers.refresh_spend"]
    batches.REGISTRY["customers.refresh_spend"] = batches.BatchKind(spec.name, spec.table, spec.work, 1)
    try:
        return batches.batch_run_plan(kind="customers.refresh_spend", period=period)
    finally:
        batches.REGISTRY["customers.refresh_spend"] = spec


def age(run: BatchRun, seconds: int):
    """As if the run was planned and last dispatched `seconds` ago."""
    then = timezone.now() - timedelta(seconds=seconds)
    BatchRun.objects.filter(pk=run.pk).update(started_at=then, dispatched_at=then)


def test_a_stalled_run_has_its_lost_chunks_sent_again_and_finishes():
    run = planned_run("stalled")
    age(run, settings.BATCH_STALL_SECONDS + 5)  # dispatched long ago; the messages were lost with a worker host
    assert resume_stalled_runs() == run.total_chunks  # eager here: sent and done
    run.refresh_from_db()
    assert run.status == "done" and run.done_chunks == run.total_chunks


def test_a_run_making_progress_or_dispatched_lately_is_left_alone():
    run = planned_run("busy")
    age(run, settings.BATCH_STALL_SECONDS - 30)
    assert resume_stalled_runs() == 0
    age(run, settings.BATCH_STALL_SECONDS + 5)
    first = BatchChunk.objects.filter(run=run).order_by("lo").first()
    batches.batch_chunk_run(first.pk)  # a chunk done just now: the workers are on it
    assert resume_stalled_runs() == 0


@pytest.mark.django_db(transaction=True)
def test_the_sweep_never_resends_a_chunk_a_worker_is_holding():
    run = planned_run("held")
    age(run, settings.BATCH_STALL_SECONDS + 5)
    held = BatchChunk.objects.filter(run=run).order_by("lo").first()
    other = connection.copy()  # a worker elsewhere, in the middle of this chunk's transaction
    try:
        with other.cursor() as cur:
            cur.execute("BEGIN; SELECT id FROM core_batchchunk WHERE id = %s FOR UPDATE", [held.pk])
            with transaction.atomic():
                assert held.pk not in batches.unclaimed_chunk_ids(run)
            assert resume_stalled_runs() == run.total_chunks - 1
            cur.execute("ROLLBACK")
    finally:
        other.close()
    run.refresh_from_db()
    assert run.done_chunks == run.total_chunks - 1 and not BatchChunk.objects.get(pk=held.pk).done
