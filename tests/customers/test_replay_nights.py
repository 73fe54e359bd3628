"""The demo replay runs every scheduled job on its scheduled days (config/schedules.py): the monthly jobs of any
day (the churn training of the 2nd, not only those of the 1st and the 21st), the half-yearly ones in January and
July, and every job of every night in the last DAILY_DAYS days; the nightly jobs are not run on the extra days
(they catch up on the next full night)."""

from datetime import date, timedelta

import pytest
from django_celery_beat.models import PeriodicTask

from config.schedules import SCHEDULES, schedules_sync
from core.management.commands.run_night import fires_on
from customers.demo.replay import DAILY_DAYS, every_day, jobs_of_night, months_to_replay, replay_nights

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 15)


def _planned(today: date, months: int) -> set[tuple[date, str]]:
    todo, daily_from = months_to_replay(today, months), today - timedelta(days=DAILY_DAYS)
    planned = set()
    for month in todo:
        for night, full in replay_nights(month, today=today, daily_from=daily_from, first=month == todo[0]):
            planned |= {(night, task.task) for task in jobs_of_night(night, full=full)}
    return planned


def test_every_scheduled_job_runs_on_each_of_its_days():
    schedules_sync()
    planned = _planned(TODAY, 3)  # May (the initial load: from the 2nd), June, July up to the 15th
    crons = {t.task: t.crontab.schedule for t in PeriodicTask.objects.filter(
        enabled=True, crontab__isnull=False, task__in=[s.task for s in SCHEDULES.values()])}
    assert len(crons) == sum(1 for s in SCHEDULES.values() if s.cron)
    missing, day = [], date(2026, 5, 2)
    while day <= TODAY:
        for task, cron in crons.items():
            daily_window = day >= TODAY - timedelta(days=DAILY_DAYS)
            if fires_on(cron, day) and (not every_day(cron) or daily_window) and (day, task) not in planned:
                missing.append((day, task))
        day += timedelta(days=1)
    assert not missing
    # the monthly jobs away from the 1st and the 21st: the churn training of the 2nd, each month
    training = "retention.tasks.churn_model_train_monthly"
    assert {(date(2026, 5, 2), training), (date(2026, 6, 2), training), (date(2026, 7, 2), training)} <= planned
    assert (date(2026, 7, 1), "credit.tasks.rate_guidance_half_yearly") in planned
    assert (date(2026, 6, 1), "credit.tasks.rate_guidance_half_yearly") not in planned  # half-yearly: not June
    # an extra day before the daily window runs only the jobs scheduled for it, not the nightly ones
    assert {task for night, task in planned if night == date(2026, 5, 2)} == {training}
