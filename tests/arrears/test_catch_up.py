"""No lost nights (issue 13): a skipped night's late fees and barring deadlines are computed by date when the
product runs again, exactly once, and the scheduler dispatches every missed night in order. Bills and payments come
in through the intake services; every derived row comes from the product's own nightly run."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from arrears.evaluation import EVALUATE_KIND, evaluate_chunk
from arrears.models import BarringEvent, LedgerEntry, LineAccount
from arrears.services import bill_record, payment_record
from arrears.tasks import evaluate_nightly
from core import batches
from core.models import BatchRun
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
LAST_NIGHT_RUN = date(2026, 11, 9)  # then an outage: the nights of the 10th to the 8th of the next month are missed
BACK_ON = date(2026, 12, 8)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def night(day: date):
    """The scheduler fires the nightly task on `day` (00:30 Shanghai)."""
    with freeze_time(at(day, 0).replace(minute=30)):
        return evaluate_nightly(day.isoformat())


def billed_line(amount="100.00", due=date(2026, 10, 25)):
    line = LineFactory()  # unrated, limit 0: usable credit = balance
    with freeze_time(at(due - timedelta(days=20))):
        bill_record(line=line, period=due.replace(day=1), amount=Decimal(amount), due_date=due)
    return line


def late_fees(line):
    return list(LedgerEntry.objects.filter(line=line, kind="late_fee").order_by("reference")
                .values_list("reference", "amount"))


def test_nights_skipped_from_the_10th_to_the_8th_charge_29_days_once():
    line = billed_line("100.00")
    night(LAST_NIGHT_RUN)
    assert late_fees(line) == [(f"late-fee-{line.pk}-2026-11-09", Decimal("-0.30"))]
    night(BACK_ON)
    fees = late_fees(line)[1:]
    days = [LAST_NIGHT_RUN + timedelta(days=n) for n in range(1, 30)]
    assert [ref for ref, _ in fees] == [f"late-fee-{line.pk}-{d}" for d in days]  # 10 Nov .. 8 Dec: 29 days
    assert {amount for _, amount in fees} == {Decimal("-0.30")}  # 0.3 % a day of the 100.00 overdue
    account = LineAccount.objects.get(pk=line.pk)
    assert account.balance == Decimal("-100.00") - 30 * Decimal("0.30")

    # a re-run of any of those nights, the scheduler again, or the chunk directly: nothing more is charged
    night(BACK_ON)
    evaluate_chunk(line.pk, line.pk + 1, date(2026, 11, 20))
    evaluate_chunk(line.pk, line.pk + 1, BACK_ON)
    assert len(late_fees(line)) == 30
    assert LineAccount.objects.get(pk=line.pk).balance == account.balance


def test_a_payment_during_the_outage_stops_the_fees_from_its_day_on():
    line = billed_line("100.00")
    night(LAST_NIGHT_RUN)
    with freeze_time(at(date(2026, 11, 20))):
        payment_record(line=line, amount=Decimal("100.00"), paid_at=at(date(2026, 11, 20)), channel="bank",
                       reference="outage-pay-1")
    night(BACK_ON)
    charged_days = [ref.rsplit("-", 3)[-3:] for ref, _ in late_fees(line)]
    # the 9th (on time), then the 10th..20th: still overdue at the start of the day it was paid; none after
    assert ["-".join(d) for d in charged_days] == [str(date(2026, 11, 9) + timedelta(days=n)) for n in range(12)]


def test_barring_deadlines_are_met_by_date_after_a_gap():
    line = billed_line("100.00", due=date(2026, 10, 25))
    night(LAST_NIGHT_RUN)  # 15 days past due: one-way barred
    assert LineAccount.objects.get(pk=line.pk).state == "one_way_barred"
    night(BACK_ON)
    two_way = BarringEvent.objects.get(line=line, to_state="two_way_barred")
    # 30 days after the oldest unpaid bill fell due (25 Oct): the 24th, though the product was down that night
    assert two_way.at == at(date(2026, 11, 24), 0).replace(minute=30) and two_way.rule == "arrears_30_days"
    account = LineAccount.objects.get(pk=line.pk)
    assert account.state == "two_way_barred" and account.state_since == date(2026, 11, 24)
    assert account.arrears_since == date(2026, 10, 25)


def test_number_retention_ends_by_date_after_a_long_gap():
    line = billed_line("100.00", due=date(2026, 7, 1))
    first = date(2026, 8, 5)  # 35 days past due on its first night: two-way barred at once (by date)
    night(first)
    assert LineAccount.objects.get(pk=line.pk).state == "two_way_barred"
    night(first + timedelta(days=100))  # an outage of 99 nights; unrated keeps the number 90 days
    line.refresh_from_db()
    assert line.status == "closed" and line.closed_on == first + timedelta(days=90)
    closed = BarringEvent.objects.get(line=line, to_state="closed")
    assert closed.rule == "retention_expired" and closed.at.astimezone(SHANGHAI).date() == first + timedelta(days=90)
    # a closed line is charged no more late fees: the last is for the closing day (open when that day began)
    assert late_fees(line)[-1][0] == f"late-fee-{line.pk}-{first + timedelta(days=90)}"
    assert len(late_fees(line)) == 91


def test_the_scheduler_dispatches_every_missed_night_in_order():
    billed_line()
    night(LAST_NIGHT_RUN)
    assert batches.missed_days(EVALUATE_KIND, BACK_ON) == [LAST_NIGHT_RUN + timedelta(days=n) for n in range(1, 30)]
    assert batches.missed_days(EVALUATE_KIND, LAST_NIGHT_RUN + timedelta(days=1)) == [date(2026, 11, 10)]
    assert batches.missed_days("never.ran", BACK_ON) == [BACK_ON]  # a job that never ran starts on the day
    night(BACK_ON)
    runs = list(BatchRun.objects.filter(kind=EVALUATE_KIND).order_by("id").values_list("period", "status"))
    assert runs == [(str(LAST_NIGHT_RUN + timedelta(days=n)), "done") for n in range(30)]
    assert batches.missed_days(EVALUATE_KIND, BACK_ON + timedelta(days=1)) == [BACK_ON + timedelta(days=1)]


def test_the_catch_up_is_bounded():
    night(LAST_NIGHT_RUN)
    far = LAST_NIGHT_RUN + timedelta(days=400)
    missed = batches.missed_days(EVALUATE_KIND, far)
    assert len(missed) == batches.CATCH_UP_MAX_DAYS and missed[-1] == far


def test_missed_months_of_a_monthly_job():
    assert batches.missed_months("enterprise.snapshot", date(2026, 12, 8)) == ["2026-12"]
    BatchRun.objects.create(kind="enterprise.snapshot", period="2026-09", status="done")
    assert batches.missed_months("enterprise.snapshot", date(2027, 1, 3)) == ["2026-10", "2026-11", "2026-12",
                                                                              "2027-01"]
