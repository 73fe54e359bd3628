"""Every Celery beat schedule, declared once (#17 item 5), and their sync into django-celery-beat's tables after
each `migrate` (core/apps.py connects `schedules_sync` to post_migrate; imported once the apps are loaded), so a
fresh database, CI and production agree. Times are Asia/Shanghai (settings.TIME_ZONE), DOMAIN.md's nightly plan.

Change a schedule here, not in the admin: the sync puts the task and its timing back on the next migrate.
Pausing a job in the admin (enabled) is kept."""

from dataclasses import dataclass

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class Schedule:
    task: str
    cron: str | None = None  # "minute hour day_of_month month_of_year day_of_week"
    every_seconds: int | None = None
    expire_seconds: int | None = None  # a run not started by then is dropped (the next one comes soon)


SCHEDULES = {
    "Nightly arrears evaluation": Schedule("arrears.tasks.evaluate_nightly", cron="30 0 * * *"),
    "Nightly customer status (derived)": Schedule("customers.tasks.refresh_status_nightly", cron="45 0 * * *"),
    # On the 1st the latest month whose bills are complete (the one before the month just ended: billing sends the
    # month just ended's bills during that day) is valued (00:40) and ranked (01:40) before the base rating (02:00)
    # and the guidance re-rating (03:00) read its decile (source 000: value as a credit factor and a guidance rule);
    # the deciles need every value chunk done, the ratings the decile run done before they start.
    "Monthly customer value": Schedule("arrears.tasks.customer_value_monthly", cron="40 0 1 * *"),
    "Monthly enterprise snapshots (derived)": Schedule("enterprise.tasks.snapshot_monthly", cron="0 1 1 * *"),
    "Nightly average-spend refresh": Schedule("customers.tasks.refresh_spend_nightly", cron="30 1 * * *"),
    "Nightly retention scan": Schedule("retention.tasks.scan_retention_nightly", cron="30 1 * * *"),
    "Monthly customer value deciles": Schedule("arrears.tasks.customer_value_deciles_monthly", cron="40 1 1 * *"),
    "Monthly base credit rating": Schedule("credit.tasks.rate_base_monthly", cron="0 2 1 * *"),
    "Nightly enterprise segmentation": Schedule("enterprise.tasks.segment_nightly", cron="0 2 * * *"),
    "Half-yearly guidance re-rating": Schedule("credit.tasks.rate_guidance_half_yearly", cron="0 3 1 1,7 *"),
    "Nightly challenger credit model in shadow": Schedule("credit.tasks.challenger_shadow_nightly", cron="0 4 * * *"),
    "Nightly usage facts for campaign segments": Schedule("marketing.tasks.refresh_usage_facts_nightly",
                                                         cron="10 4 * * *"),
    "Nightly challenger churn model in shadow": Schedule("retention.tasks.churn_challenger_shadow_nightly",
                                                        cron="15 4 * * *"),
    "Monthly credit model stability (PSI)": Schedule("credit.tasks.model_stability_monthly", cron="30 4 1 * *"),
    "Monthly churn model stability (PSI)": Schedule("retention.tasks.churn_model_stability_monthly",
                                                   cron="30 4 1 * *"),
    "Monthly churn model training (challenger)": Schedule("retention.tasks.churn_model_train_monthly",
                                                         cron="0 5 2 * *"),
    "Daily star distribution snapshot": Schedule("credit.tasks.star_snapshot_daily", cron="30 5 * * *"),
    "Nightly credit report facts": Schedule("credit.tasks.report_facts_nightly", cron="35 5 * * *"),
    "Nightly arrears report facts": Schedule("arrears.tasks.report_facts_nightly", cron="45 5 * * *"),
    "Nightly campaign results facts": Schedule("marketing.tasks.results_facts_nightly", cron="50 5 * * *"),
    "Nightly home figures facts": Schedule("workspace.tasks.home_facts_nightly", cron="55 5 * * *"),
    # daily at 09:00: the task collects only on a collection day (Tue/Thu) of the working-day calendar
    "Service-day order collection (Tue/Thu)": Schedule("enterprise.tasks.collect_service_days", cron="0 9 * * *"),
    "Hourly four-eyes request expiry": Schedule("credit.tasks.four_eyes_expire_hourly", every_seconds=3600),
    "Resume stalled batch runs": Schedule("core.tasks.resume_stalled_runs", every_seconds=60),
    "SMS outbox dispatch": Schedule("credit.tasks.sms_dispatch", every_seconds=60, expire_seconds=50),
    "Webhook dispatch of decision events": Schedule("webhooks.tasks.webhooks_dispatch", every_seconds=10),
}


def schedules_sync(**kwargs) -> int:
    """Create or update the declared schedules' rows (by name); returns how many were written. Idempotent."""
    written = 0
    for name, s in SCHEDULES.items():
        timing = {"crontab": None, "interval": None}
        if s.cron:
            minute, hour, day_of_month, month_of_year, day_of_week = s.cron.split()
            timing["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year,
                day_of_week=day_of_week, timezone=settings.TIME_ZONE)
        else:
            timing["interval"], _ = IntervalSchedule.objects.get_or_create(every=s.every_seconds,
                                                                           period=IntervalSchedule.SECONDS)
        task = PeriodicTask.objects.filter(name=name).first()
        wanted = {"task": s.task, "expire_seconds": s.expire_seconds, **timing}
        if task is None:
            PeriodicTask.objects.create(name=name, **wanted)
        elif any(getattr(task, field) != value for field, value in wanted.items()):
            for field, value in wanted.items():
                setattr(task, field, value)
            task.save()
        else:
            continue
        written += 1
    return written
