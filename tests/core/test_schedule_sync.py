"""config/schedules.py is the one declaration of the beat schedules: the post-migrate sync alone makes every row
(the data migrations that seeded them before are history), puts a changed timing back and keeps a pause."""

import pytest
from django_celery_beat.models import PeriodicTask

from config.schedules import SCHEDULES, schedules_sync

pytestmark = pytest.mark.django_db


def test_the_sync_alone_makes_every_declared_schedule():
    PeriodicTask.objects.all().delete()
    assert schedules_sync() == len(SCHEDULES)
    rows = {t.name: t for t in PeriodicTask.objects.select_related("crontab", "interval")}
    assert set(rows) == set(SCHEDULES)
    for name, declared in SCHEDULES.items():
        row = rows[name]
        assert row.task == declared.task
        if declared.cron:
            c = row.crontab
            assert f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}" == declared.cron
            assert str(c.timezone) == "Asia/Shanghai"
        else:
            assert (row.interval.every, row.interval.period) == (declared.every_seconds, "seconds")
    assert schedules_sync() == 0  # idempotent


def test_a_timing_changed_elsewhere_is_put_back_and_a_pause_is_kept():
    schedules_sync()
    task = PeriodicTask.objects.get(name="Nightly arrears evaluation")
    task.crontab.hour = "7"
    task.crontab.save()
    PeriodicTask.objects.filter(name="SMS outbox dispatch").update(enabled=False)
    # the edited crontab row is shared by nothing else: the sync points the task at the declared one again
    assert schedules_sync() >= 1
    task.refresh_from_db()
    assert (task.crontab.hour, task.crontab.minute) == ("0", "30")
    assert PeriodicTask.objects.get(name="SMS outbox dispatch").enabled is False
