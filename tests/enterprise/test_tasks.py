"""The scheduled jobs and their commands: nightly segmentation, Tuesday/Thursday collection."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_celery_beat.models import PeriodicTask
from freezegun import freeze_time

from core.models import BatchRun
from enterprise import services, tasks
from enterprise.models import EnterpriseAlert, ServiceDayCollection, ServiceDayReport
from tests.enterprise.factories import SnapshotFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_schedules_are_seeded():
    crons = {t.task: t.crontab for t in PeriodicTask.objects.filter(task__startswith="enterprise.")}
    # daily: the task itself decides (Tue/Thu working days, and the first working day after one off)
    assert crons["enterprise.tasks.collect_service_days"].day_of_week == "*"
    assert crons["enterprise.tasks.segment_nightly"].hour == "2"


def test_nightly_task_segments_and_opens_the_reports(ent):
    SnapshotFactory(account=ent.acc1, month=date(2026, 11, 1), member_count=100, members_left=10)
    services.service_day_submit(account=ent.acc1, requested_date=date(2026, 11, 20), policy="p", materials="m",
                                by=ent.am1, now=datetime(2026, 11, 2, 10, tzinfo=SH))
    with freeze_time("2026-12-01 18:30:00"):  # 02:30 on 2 December in Shanghai
        tasks.segment_nightly()
    assert BatchRun.objects.get(kind="enterprise.segment").period == "2026-12-02"
    assert EnterpriseAlert.objects.filter(account=ent.acc1, code="members_leaving").exists()
    assert ServiceDayReport.objects.filter(kind="monthly", period_start=date(2026, 11, 1)).exists()


def test_collection_task_runs_on_tuesdays_and_thursdays_only(ent):
    with freeze_time("2026-12-02 01:00:00"):  # Wednesday 09:00 in Shanghai
        assert tasks.collect_service_days() is None
    services.service_day_submit(account=ent.acc1, requested_date=date(2026, 12, 20), policy="p", materials="m",
                                by=ent.am1, now=datetime(2026, 12, 2, 10, tzinfo=SH))
    with freeze_time("2026-12-03 01:00:00"):  # Thursday 09:00
        assert tasks.collect_service_days() == 1
    assert ServiceDayCollection.objects.get().collected_on == date(2026, 12, 3)


def test_collection_task_skips_a_holiday_thursday_and_collects_the_next_working_day(ent):
    services.service_day_submit(account=ent.acc1, requested_date=date(2026, 12, 20), policy="p", materials="m",
                                by=ent.am1, now=datetime(2026, 9, 30, 10, tzinfo=SH))
    with freeze_time("2026-10-01 01:00:00"):  # Thursday, National Day
        assert tasks.collect_service_days() is None
    with freeze_time("2026-10-08 01:00:00"):  # Thursday, the first working day after
        assert tasks.collect_service_days() == 1


def test_commands(ent):
    out = StringIO()
    call_command("collect_service_days", "--date", "2026-12-01", stdout=out)
    assert "0 orders" in out.getvalue()
    with translation.override("en"), pytest.raises(CommandError, match="Tuesdays and Thursdays"):
        call_command("collect_service_days", "--date", "2026-12-02")
    out = StringIO()
    call_command("segment_enterprises", "--date", "2026-12-01", stdout=out)
    assert "enterprise.segment 2026-12-01" in out.getvalue() and "status done" in out.getvalue()
