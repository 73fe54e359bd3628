"""Run a night's scheduled jobs now, for a demo or to catch up: the same tasks, in the same order, as the scheduler.

The jobs are the enabled crontab schedules of django-celery-beat (the rows the data migrations seed, editable in
admin) that fire on --date (default today, Asia/Shanghai), earliest first. Each task runs here with that date; the
chunks of the batch run it plans go to the Celery workers as on a real night, and the command waits for the run to
finish before it starts the next job (a later job may read an earlier one's results: the star snapshot after the
rating). --all takes every crontab job whatever its day (the monthly rating, the half-yearly re-rating, the
Tuesday/Thursday collection). Re-running a night is safe: every batch run is apply-once per (kind, period).
"""

import json
import time
from datetime import date

from django.core.management import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app
from core.choices import BatchStatus
from core.models import BatchRun

NO_WORKER = ("No Celery worker answers on the broker, so the batch chunks would wait forever. Start the app with "
             "./run.sh (it runs the workers), or a worker: `celery -A config worker -Q short,batch`.")


def fires_on(cron, day: date) -> list[tuple[int, int]]:
    """(hour, minute) of each firing of a celery crontab on that date; [] when it does not fire that day."""
    if day.month not in cron.month_of_year or day.day not in cron.day_of_month:
        return []
    if day.isoweekday() % 7 not in cron.day_of_week:  # celery counts 0 = Sunday
        return []
    return [(h, m) for h in sorted(cron.hour) for m in sorted(cron.minute)]


def night_jobs(day: date, *, every: bool = False) -> list[tuple[tuple[int, int], PeriodicTask]]:
    jobs = []
    scheduled = PeriodicTask.objects.filter(enabled=True, crontab__isnull=False).select_related("crontab")
    for task in scheduled.exclude(task__startswith="celery."):  # not Celery's own housekeeping (backend_cleanup)
        cron = task.crontab.schedule
        times = fires_on(cron, day)
        if not times and every:
            times = [(min(cron.hour), min(cron.minute))]
        jobs.extend((at, task) for at in times)
    return sorted(jobs, key=lambda job: (job[0], job[1].name))


def interval_jobs() -> list[PeriodicTask]:
    """The enabled every-N-seconds schedules (SMS dispatch, four-eyes expiry, stalled runs, webhooks), by name: a
    replayed night runs each once after its crontab jobs, as the scheduler would have many times that day."""
    scheduled = PeriodicTask.objects.filter(enabled=True, interval__isnull=False)
    return list(scheduled.exclude(task__startswith="celery.").order_by("name"))


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="YYYY-MM-DD, default today")
        parser.add_argument("--all", action="store_true", dest="every",
                            help="every scheduled job, also those not due on that date (monthly, half-yearly)")
        parser.add_argument("--timeout", type=int, default=3600, help="seconds to wait for each job's batch run")

    def handle(self, *args, day=None, every=False, timeout=3600, **options):
        try:
            night = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"Bad date {day!r}: use YYYY-MM-DD") from exc
        jobs = night_jobs(night, every=every)
        if not jobs:
            raise CommandError(f"No scheduled job fires on {night} (see Periodic tasks in /admin/).")
        if not app.conf.task_always_eager and not app.control.ping(timeout=2):
            raise CommandError(NO_WORKER)
        app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery is lazy outside a worker)
        self.stdout.write(f"Night of {night}: {len(jobs)} jobs")
        for (hour, minute), task in jobs:
            self.run_job(f"{hour:02d}:{minute:02d} {task.name}", task, night, timeout)
        periods = {night.isoformat(), f"{night:%Y-%m}", f"{night.year}-H{1 if night.month <= 6 else 2}"}
        for run in BatchRun.objects.filter(period__in=periods).order_by("started_at"):
            self.stdout.write(f"  batch run {run}: {run.status}, {run.done_chunks}/{run.total_chunks} chunks, "
                              f"{run.rows_affected:,} rows")
        self.stdout.write(self.style.SUCCESS(f"Night of {night}: every job done"))

    def run_job(self, label: str, task: PeriodicTask, night: date, timeout: int):
        started = timezone.now()
        kwargs = {**json.loads(task.kwargs or "{}"), "day": night.isoformat()}
        result = app.tasks[task.task](**kwargs)  # the task's own code, here; its chunks go to the workers
        runs = BatchRun.objects.filter(Q(started_at__gte=started) | Q(dispatched_at__gte=started))
        for run in runs:
            self.wait(label, run, timeout)
        if not runs:
            self.stdout.write(f"  {label}: nothing left to run (the task returned {result})")

    def wait(self, label: str, run: BatchRun, timeout: int):
        deadline, shown = time.monotonic() + timeout, None
        while run.status != BatchStatus.DONE:
            if time.monotonic() > deadline:
                raise CommandError(f"{label}: {run} not done after {timeout} s ({run.done_chunks}/"
                                   f"{run.total_chunks} chunks). Are the batch workers running? "
                                   "(`celery -A config inspect ping`)")
            if shown != run.done_chunks:
                self.stdout.write(f"  {label}: {run} {run.done_chunks}/{run.total_chunks} chunks")
                shown = run.done_chunks
            time.sleep(0.5)
            run.refresh_from_db()
        self.stdout.write(f"  {label}: {run} done, {run.total_chunks} chunks, {run.rows_affected:,} rows in "
                          f"{run.duration_seconds:.1f} s")
