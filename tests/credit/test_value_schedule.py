"""On the 1st the latest month whose bills are complete (the one before the month just ended, whose bills billing
sends during the day of the 1st) is valued, then ranked, and only then rated (#16; config/schedules.py): the base
rating of the 1st and the half-yearly guidance read this night's deciles, not an older month's."""

from datetime import date
from io import StringIO

import pytest
from celery.exceptions import Retry
from django.core.management import call_command
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_celery_beat.models import PeriodicTask
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears.tasks import customer_value_deciles_monthly
from arrears.value import DECILE_KIND, VALUE_KIND, value_in_process
from config.schedules import SCHEDULES
from core import batches
from core.choices import BatchStatus
from core.management.commands.run_night import night_jobs
from core.models import BatchRun
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.models import Rating
from credit.tasks import VALUE_WAIT_TRIES, rate_base_monthly, rate_guidance_half_yearly
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


def test_the_base_rating_of_the_first_reads_the_latest_complete_month(billing):
    """Bills with their costs up to November come in; the night of 1 December values and ranks October (November's
    bills are due from billing that day), then rates: the new customers are scored on October's deciles (before,
    the 02:00 rating ran ahead of the 03:00 value and 05:00 decile jobs and scored nobody on value)."""
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


# --- the order on the 1st held by the tasks themselves, not only by the clock (#16 item 6) ----------------------

def _plan(kind: str, period: str):
    """A run planned as the scheduler plans it, its chunks not yet worked (a worker still busy or down)."""
    return batches.batch_run_plan(kind=kind, period=period)


def _work(run):
    for chunk_id in batches.pending_chunk_ids(run):
        batches.batch_chunk_run(chunk_id)
    run.refresh_from_db()
    assert run.status == BatchStatus.DONE


def _valued_province(billing):
    rich, poor = good_customer(), good_customer()
    months = ("2026-09", "2026-10", "2026-11")
    billed_on_time(billing, rich.lines.get(), months, {})
    billed_on_time(billing, poor.lines.get(), months, {"handset_subsidy": "150.00"})
    for i in range(1, 9):
        billed_on_time(billing, LineFactory().customer.lines.get(), months, {"commission": f"{10 * i}.00"})
    return rich, poor


def test_the_deciles_wait_for_the_value_run_then_the_rating_for_the_deciles(billing):
    rich, poor = _valued_province(billing)
    value_run = _plan(VALUE_KIND, "2026-10")  # 00:40: planned; at 01:40 still not done

    with pytest.raises(Retry):  # the decile task retries instead of returning None for good
        customer_value_deciles_monthly(day="2026-12-01")
    assert not BatchRun.objects.filter(kind=DECILE_KIND).exists()
    with pytest.raises(Retry):  # 02:00: the base rating waits too (the value month is under way)
        rate_base_monthly(day="2026-12-01")
    assert not BatchRun.objects.filter(kind=BASE_KIND).exists()

    _work(value_run)  # the values finish: the retried decile task plans the deciles...
    decile_run = _plan(DECILE_KIND, "2026-10")
    with pytest.raises(Retry):  # ...and while they are not done the rating still waits
        rate_base_monthly(day="2026-12-01")
    assert not BatchRun.objects.filter(kind=BASE_KIND).exists()

    _work(decile_run)
    run = BatchRun.objects.get(pk=rate_base_monthly(day="2026-12-01"))
    assert run.status == BatchStatus.DONE and value_run.finished_at <= decile_run.finished_at <= run.started_at
    ratings = {r.customer_id: r for r in Rating.objects.filter(run=run)}
    assert ratings[rich.pk].factor_values["value_decile"] == 1 and ratings[poor.pk].factor_values["value_decile"] == 10
    assert {r.factor_values["value_month"] for r in ratings.values()} == {"2026-10-01"}


def test_the_decile_task_runs_once_the_values_are_done(billing):
    _valued_province(billing)
    _work(_plan(VALUE_KIND, "2026-10"))
    run = BatchRun.objects.get(pk=customer_value_deciles_monthly(day="2026-12-01"))
    assert (run.kind, run.period, run.status) == (DECILE_KIND, "2026-10", BatchStatus.DONE)


def test_an_older_month_is_never_read_as_the_current_one(billing):
    """September ranked, October never valued (its job paused): the rating of 1 December reads no value - unknown,
    0 points, recorded as such - rather than September's deciles as if they were October's."""
    rich, poor = _valued_province(billing)
    value_in_process("2026-09")
    run = BatchRun.objects.get(pk=rate_base_monthly(day="2026-12-01"))  # nothing under way: no wait
    ratings = {r.customer_id: r for r in Rating.objects.filter(run=run)}
    for customer in (rich, poor):
        rating = ratings[customer.pk]
        assert rating.factor_values["value_month"] is None and rating.factor_values["value_decile"] is None
        assert rating.points["value_decile"] == 0


def test_the_wait_gives_up_after_the_retries_and_rates_the_value_unknown(billing):
    rich, _ = _valued_province(billing)
    _work(_plan(VALUE_KIND, "2026-10"))
    _plan(DECILE_KIND, "2026-10")  # the deciles never finish
    rate_base_monthly.push_request(retries=VALUE_WAIT_TRIES - 1)
    try:
        with pytest.raises(Retry):  # the last try still waits
            rate_base_monthly(day="2026-12-01")
    finally:
        rate_base_monthly.pop_request()
    rate_base_monthly.push_request(retries=VALUE_WAIT_TRIES)  # 3 hours later: rates, the value unknown
    try:
        run_id = rate_base_monthly(day="2026-12-01")
    finally:
        rate_base_monthly.pop_request()
    rating = Rating.objects.get(run_id=run_id, customer=rich)
    assert rating.factor_values["value_month"] is None and rating.points["value_decile"] == 0


def test_a_batch_rating_shows_on_the_audit_page_with_its_reason(client, org, billing):
    rich, _ = _valued_province(billing)
    value_in_process("2026-10")
    run = BatchRun.objects.get(pk=rate_base_monthly(day="2026-12-01"))
    rating = Rating.objects.get(run=run, customer=rich)
    client.force_login(org.admin)
    changes = client.get(reverse("audit"), {"model": "credit.rating", "object_id": rich.pk}).context["changes"]
    [row] = [c for c in changes if c["history_id"] == rating.pk]
    assert row["history_date"] == rating.decided_at and row["history_user_id"] is None  # decided by the run
    assert row["change"] == f"— → {rating.new_star}★, ¥{rating.old_limit} → ¥{rating.new_limit}"
    with translation.override(settings.LANGUAGE_CODE):  # the page's language: the stored reason as staff read it
        reason = translation.gettext(rating.reason)
    assert reason in row["history_change_reason"] and rating.policy_version in row["history_change_reason"]
    assert f"#{run.pk}" in row["history_change_reason"]


def test_the_guidance_rerating_waits_for_may_deciles_too():
    good_customer()
    value_run = _plan(VALUE_KIND, "2026-05")
    with pytest.raises(Retry):
        rate_guidance_half_yearly(day="2026-07-01")
    assert not BatchRun.objects.filter(kind=GUIDANCE_KIND).exists()
    _work(value_run)
    _work(_plan(DECILE_KIND, "2026-05"))
    # the deciles are done, but the base run of 1 July has not started yet (its task may still be waiting for the
    # same deciles, so no run of it exists): the guidance re-rates what the base run rates, so it waits for it too
    with pytest.raises(Retry):
        rate_guidance_half_yearly(day="2026-07-01")
    assert not BatchRun.objects.filter(kind=GUIDANCE_KIND).exists()
    base = BatchRun.objects.get(pk=rate_base_monthly(day="2026-07-01"))
    run = BatchRun.objects.get(pk=rate_guidance_half_yearly(day="2026-07-01"))
    assert (run.period, run.status) == ("2026-H2", BatchStatus.DONE)
    assert base.finished_at <= run.started_at
