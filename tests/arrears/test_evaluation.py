"""The nightly evaluation through its real SQL: barring transitions with the spec's numbers, late fees,
closure to the blacklist, apply-once per day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from arrears.choices import BarringState as S
from arrears.evaluation import EVALUATE_KIND, evaluate_chunk
from arrears.models import BarringEvent, Bill, LedgerEntry, LineAccount
from core.models import BatchRun
from core.tasks import dispatch_run
from credit.models import SmsMessage
from customers.models import BlacklistEntry, LineStatusChange
from customers.selectors import blacklist_owed
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)

LIMITS = {5: "300.00", 4: "200.00", 3: "100.00", 2: "20.00", 1: "10.00", 0: "0.00"}


def account(*, balance, state=S.ACTIVE, star=3, days_in_state=10, days_in_arrears=None):
    line = LineFactory(status={S.REMINDED: "active"}.get(state, state))
    customer = line.customer
    customer.credit_star, customer.credit_limit = star, Decimal(LIMITS[star])
    customer.save()
    return LineAccount.objects.create(
        line=line, customer=customer, balance=Decimal(balance), state=state,
        state_since=TODAY - timedelta(days=days_in_state),
        arrears_since=None if days_in_arrears is None else TODAY - timedelta(days=days_in_arrears))


def evaluate(acc, day=TODAY):
    changed = evaluate_chunk(acc.pk, acc.pk + 1, day)
    acc.refresh_from_db()
    acc.line.refresh_from_db()
    return changed


@pytest.mark.parametrize("balance, state", [("-80.01", S.REMINDED), ("-80.00", S.ACTIVE)])
def test_reminder_when_usable_credit_is_below_20_percent_of_the_limit(balance, state):
    acc = account(balance=balance)  # 3★, limit 100: usable 19.99 vs 20.00
    evaluate(acc)
    assert acc.state == state and acc.line.status == "active"
    # the reminder names what is still usable ("可用额度仅剩19.99元"), not an arrears of 0
    sms = SmsMessage.objects.filter(event="low_credit")
    assert sms.exists() is (state == S.REMINDED)
    assert not SmsMessage.objects.filter(event="arrears_reminder").exists()
    if state == S.REMINDED:
        assert "19.99" in sms.get().body


def test_reminder_threshold_is_at_least_5_cny():
    acc = account(balance="-5.01", star=1)  # limit 10: 20% is 2.00 but the minimum 5.00 applies; usable 4.99
    evaluate(acc)
    assert acc.state == S.REMINDED


@pytest.mark.parametrize("balance, barred", [("-100.01", True), ("-100.00", False)])
def test_one_way_barring_when_usable_credit_is_below_zero(balance, barred):
    acc = account(balance=balance)
    evaluate(acc)
    assert (acc.state == S.ONE_WAY) is barred
    if barred:
        assert acc.line.status == "one_way_barred" and acc.arrears_since == TODAY and acc.state_since == TODAY
        event = BarringEvent.objects.get(line=acc.line)
        assert (event.rule, event.policy_version, event.usable_credit) == ("usable_below_zero", "barring-v1",
                                                                           Decimal("-0.01"))
        change = LineStatusChange.objects.get(line=acc.line)
        assert (change.to_status, change.source) == ("one_way_barred", "barring-v1")
        assert SmsMessage.objects.get(event="barred").msisdn == acc.line.msisdn


@pytest.mark.parametrize("days, state", [(29, S.ONE_WAY), (30, S.TWO_WAY)])
def test_two_way_barring_after_30_days_in_arrears(days, state):
    acc = account(balance="-150.00", state=S.ONE_WAY, days_in_arrears=days)
    evaluate(acc)
    assert acc.state == state


@pytest.mark.parametrize("star, kept", [(4, 120), (5, 120), (3, 90), (2, 90)])
def test_number_retention_after_two_way_barring_then_closure_and_blacklist(star, kept):
    on_last_day = account(balance="-400.00", state=S.TWO_WAY, star=star, days_in_state=kept - 1, days_in_arrears=200)
    evaluate(on_last_day)
    assert on_last_day.state == S.TWO_WAY
    expired = account(balance="-400.00", state=S.TWO_WAY, star=star, days_in_state=kept, days_in_arrears=200)
    evaluate(expired)
    assert expired.state == S.CLOSED and expired.line.status == "closed" and expired.line.closed_on == TODAY
    entry = BlacklistEntry.objects.get(customer=expired.customer)
    assert entry.amount_owed == Decimal("400.00")
    # onboarding then refuses the person with the amount owed
    assert blacklist_owed(id_type=expired.customer.id_type,
                              id_number=expired.customer.id_number) == Decimal("400.00")


def test_closed_stays_closed_and_is_not_charged_late_fees():
    acc = account(balance="-50.00", state=S.CLOSED, days_in_state=400)
    Bill.objects.create(line=acc.line, customer=acc.customer, period=date(2026, 1, 1), amount=Decimal("50.00"),
                        due_date=date(2026, 1, 25))
    assert evaluate(acc) == 0 and acc.state == S.CLOSED and not LedgerEntry.objects.filter(kind="late_fee").exists()


def test_a_payment_since_yesterday_restores_in_the_nightly_run_too():
    acc = account(balance="-100.00", state=S.TWO_WAY, days_in_arrears=40)  # usable exactly 0
    evaluate(acc)
    assert acc.state == S.ACTIVE and acc.arrears_since is None and acc.line.status == "active"
    assert BarringEvent.objects.get(line=acc.line).rule == "paid_back"


def test_late_fee_is_0_3_percent_of_the_overdue_amount_once_a_day():
    acc = account(balance="-10.00")
    Bill.objects.create(line=acc.line, customer=acc.customer, period=date(2026, 10, 1), amount=Decimal("100.00"),
                        paid_amount=Decimal("0.00"), due_date=TODAY - timedelta(days=1))
    Bill.objects.create(line=acc.line, customer=acc.customer, period=date(2026, 11, 1), amount=Decimal("80.00"),
                        due_date=TODAY)  # not yet overdue
    evaluate(acc)
    fee = LedgerEntry.objects.get(line=acc.line, kind="late_fee")
    assert fee.amount == Decimal("-0.30") and acc.balance == Decimal("-10.30")
    evaluate(acc)  # the same day again: no second fee
    assert LedgerEntry.objects.filter(line=acc.line, kind="late_fee").count() == 1
    evaluate(acc, TODAY + timedelta(days=1))
    # one fee a day on the whole overdue amount: both bills now, 0.3% of 180.00
    assert list(LedgerEntry.objects.filter(line=acc.line, kind="late_fee").order_by("id")
                .values_list("amount", flat=True)) == [Decimal("-0.30"), Decimal("-0.54")]
    assert acc.balance == Decimal("-10.84")


def test_an_exempt_line_is_reminded_but_not_barred():
    acc = account(balance="-500.00")
    LineAccount.objects.filter(pk=acc.pk).update(exempt_until=TODAY, exempt_reason="government hotline")
    evaluate(acc)
    assert acc.state == S.REMINDED


def test_lines_without_an_account_are_opened_from_billing_history():
    from tests.factories import UsageSummaryFactory

    line = LineFactory()
    UsageSummaryFactory(line=line, month=date(2026, 9, 1), prepaid_balance=Decimal("99.00"))
    UsageSummaryFactory(line=line, month=date(2026, 10, 1), prepaid_balance=Decimal("12.50"))  # the latest
    Bill.objects.create(line=line, customer=line.customer, period=date(2026, 9, 1), amount=Decimal("60.00"),
                        paid_amount=Decimal("60.00"), due_date=date(2026, 9, 25))
    Bill.objects.create(line=line, customer=line.customer, period=date(2026, 10, 1), amount=Decimal("40.00"),
                        paid_amount=Decimal("15.00"), due_date=date(2026, 10, 25))
    evaluate_chunk(line.pk, line.pk + 1, TODAY)
    opened = LineAccount.objects.get(pk=line.pk)
    # latest prepaid balance 12.50 less the 25.00 still unpaid, then today's late fee 0.3% of 25.00
    assert LedgerEntry.objects.get(line=line, kind="opening").amount == Decimal("-12.50")
    assert opened.balance == Decimal("-12.50") - Decimal("0.08")


def test_the_same_day_twice_applies_once():
    acc = account(balance="-100.01")
    run = dispatch_run(EVALUATE_KIND, TODAY.isoformat())
    run.refresh_from_db()
    assert run.status == "done" and run.rows_affected >= 1
    again = dispatch_run(EVALUATE_KIND, TODAY.isoformat())
    assert again.pk == run.pk and BatchRun.objects.filter(kind=EVALUATE_KIND).count() == 1
    assert BarringEvent.objects.filter(line=acc.line).count() == 1
    assert BarringEvent.objects.get(line=acc.line).run_id == run.pk


def test_the_command_runs_the_day_and_refuses_a_bad_date(capsys):
    from django.core.management import CommandError, call_command

    account(balance="-100.01")
    call_command("evaluate_arrears", "--date", TODAY.isoformat())
    assert "1 lines changed state, status done" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Bad date"):
        call_command("evaluate_arrears", "--date", "2026-02-30")


@pytest.mark.parametrize("days, notified", [(112, False), (113, True), (119, True)])
def test_retention_deadline_sms_a_week_before_closure_once(days, notified):
    acc = account(balance="-400.00", state=S.TWO_WAY, star=4, days_in_state=days, days_in_arrears=200)
    evaluate(acc)
    evaluate(acc, TODAY + timedelta(days=0))
    notices = SmsMessage.objects.filter(event="retention_deadline", msisdn=acc.line.msisdn)
    assert notices.count() == (1 if notified else 0)
    if notified:  # 4★ keeps the number 120 days: the closure date is in the message
        assert str(acc.state_since + timedelta(days=120)) in notices.get().body


def test_the_customer_takes_the_status_of_their_worst_open_line():
    acc = account(balance="-100.01")  # 3★, limit 100: usable below 0, one-way barred tonight
    second = LineFactory(customer=acc.customer, status="active")
    evaluate(acc)
    acc.customer.refresh_from_db()
    assert acc.line.status == "one_way_barred" and acc.customer.status == "one_way_barred"
    second.status = "in_retention"
    second.save()
    from customers.status import customer_status_refresh

    assert customer_status_refresh(customer_ids=[acc.customer_id]) == 1
    acc.customer.refresh_from_db()
    assert acc.customer.status == "in_retention"  # the worse of the two


def test_a_payment_that_restores_the_line_makes_the_customer_active_again():
    from django.utils import timezone

    from arrears.services import payment_record

    acc = account(balance="-100.01")
    evaluate(acc)
    payment_record(line=acc.line, amount=Decimal("50.00"), paid_at=timezone.now(), channel="app", reference="r-1")
    acc.customer.refresh_from_db()
    assert acc.customer.status == "active"
