"""On the 1st the month just ended is valued, then ranked, and only then rated (#16; config/schedules.py): the base
rating of the 1st and the half-yearly guidance read this month's deciles, not last month's."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.schedules import SCHEDULES
from core.management.commands.run_night import night_jobs
from credit.models import Rating
from tests.credit.test_batches import good_customer
from tests.credit.test_guidance_value import billed_on_time
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db

IN_ORDER = ("arrears.tasks.customer_value_monthly", "arrears.tasks.customer_value_deciles_monthly",
            "credit.tasks.rate_base_monthly", "credit.tasks.rate_guidance_half_yearly")


def _minutes(cron: str) -> int:
    minute, hour, *_ = cron.split()
    return int(hour) * 60 + int(minute)


def test_value_then_deciles_then_the_ratings_in_the_declared_times():
    by_task = {s.task: s for s in SCHEDULES.values()}
    times = [_minutes(by_task[task].cron) for task in IN_ORDER]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert all(by_task[task].cron.split()[2] == "1" for task in IN_ORDER)  # all on the 1st
    # the decile run ranks the whole month: it waits for every value chunk; the ratings for the decile run
    assert times[1] - times[0] >= 30 and times[2] - times[1] >= 15


@pytest.mark.parametrize("night", [date(2026, 12, 1), date(2027, 1, 1), date(2027, 7, 1)])
def test_the_scheduler_and_run_night_run_them_in_that_order(night):
    crons = {t.task: t.crontab for t in PeriodicTask.objects.filter(task__in=IN_ORDER)}
    beat = [int(crons[task].hour) * 60 + int(crons[task].minute) for task in IN_ORDER]
    assert beat == sorted(beat)
    tasks = [task.task for _, task in night_jobs(night)]
    due = [task for task in IN_ORDER if task in tasks]
    assert [tasks.index(task) for task in due] == sorted(tasks.index(task) for task in due)
    assert len(due) == (4 if night.month in (1, 7) else 3)


@pytest.fixture
def billing(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return client


def test_the_base_rating_of_the_first_reads_the_month_just_ended(billing):
    """Bills with their costs up to November come in; the night of 1 December values and ranks November, then
    rates: the new customers are scored on November's deciles (before, the 02:00 rating ran ahead of the 03:00
    value and 05:00 decile jobs and scored nobody on value)."""
    rich, poor = good_customer(), good_customer()
    months = ("2026-09", "2026-10", "2026-11")
    billed_on_time(billing, rich.lines.get(), months, {})
    billed_on_time(billing, poor.lines.get(), months, {"handset_subsidy": "150.00"})
    for i in range(1, 9):
        billed_on_time(billing, LineFactory().customer.lines.get(), months, {"commission": f"{10 * i}.00"})

    out = StringIO()
    call_command("run_night", "--date", "2026-12-01", stdout=out)
    report = out.getvalue()
    assert report.index("Monthly customer value deciles") < report.index("Monthly base credit rating")
    ratings = {r.customer_id: r for r in Rating.objects.filter(kind="base", run__period="2026-12")}
    assert ratings[rich.pk].factor_values["value_decile"] == 1
    assert ratings[poor.pk].factor_values["value_decile"] == 10
    assert ratings[rich.pk].points["value_decile"] > 0 > ratings[poor.pk].points["value_decile"]
    assert ratings[rich.pk].score > ratings[poor.pk].score
