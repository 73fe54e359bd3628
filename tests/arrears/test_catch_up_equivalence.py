"""A catch-up night judges the missed days by date in one pass (arrears.evaluation): it must leave exactly what
running each of those nights on its own leaves — the same late fees day by day, the same transitions on the same
dates with the same usable credit, closure on its day (and no fee after it), the same SMS, events, line status,
blacklist and arrears age. Each case is built twice, identically: one twin is evaluated night by night, the other
once over the whole window."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from arrears.evaluation import evaluate_chunk
from arrears.models import BarringEvent, EmergencyPass, LedgerEntry, LineAccount
from arrears.services import bill_record, payment_record
from credit.models import SmsMessage
from customers.models import BlacklistEntry, DecisionEvent, Line, LineStatusChange
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2026, 10, 10), date(2026, 11, 20)  # the nights of a 42-day outage
LIMITS = {None: "0.00", 5: "300.00", 4: "200.00", 3: "100.00", 2: "20.00", 1: "10.00", 0: "0.00"}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def bill(line, amount, due):
    with freeze_time(at(due - timedelta(days=20))):
        bill_record(line=line, period=due.replace(day=1), amount=Decimal(amount), due_date=due)


def pay(line, amount, day, n):
    with freeze_time(at(day)):
        payment_record(line=line, amount=Decimal(amount), paid_at=at(day), channel="bank",
                       reference=f"pay-{line.pk}-{n}")


def set_account(line, **fields):
    if not LineAccount.objects.filter(pk=line.pk).exists():
        evaluate_chunk(line.pk, line.pk + 1, FIRST - timedelta(days=60))  # opens the account (no bill yet)
    LineAccount.objects.filter(pk=line.pk).update(**fields)


CASES = {
    # unrated, 100 due before the window: barred one way on the first night, two way 30 days after it fell due
    "overdue": lambda line: bill(line, "100.00", date(2026, 10, 1)),
    # 3★ (limit 100) reminded; the daily fees on 200 overdue take it below zero in the window: barred one way, then
    # two way 30 days after the bill fell due
    "fees_bar": lambda line: (bill(line, "200.00", date(2026, 10, 5)), pay(line, "105.00", date(2026, 10, 6), 1)),
    # a payment in the window (not enough): the days before it are charged on what was overdue then
    "paid_in_window": lambda line: (bill(line, "150.00", date(2026, 9, 25)), bill(line, "80.00", date(2026, 10, 25)),
                                    pay(line, "150.00", date(2026, 10, 20), 1)),
    # two way barred since August (unrated keeps the number 90 days): closed in the window, blacklisted, no fee
    # after its closing day; the retention-deadline SMS a week before
    "closes": lambda line: (bill(line, "100.00", date(2026, 7, 1)),
                            set_account(line, state="two_way_barred", state_since=date(2026, 8, 20),
                                        arrears_since=date(2026, 7, 1)),
                            Line.objects.filter(pk=line.pk).update(status="two_way_barred")),
    # exempt until the 25th: reminded only, then barred by date once the exemption ended (two way at once)
    "exempt": lambda line: (bill(line, "300.00", date(2026, 9, 1)),
                            set_account(line, exempt_until=date(2026, 10, 25), exempt_reason="hotline")),
    # barred one way with usable credit back at 2 (2★, limit 20): restored on the first night, reminded the next
    "restored_then_reminded": lambda line: (set_account(line, balance=Decimal("-18.00"), state="one_way_barred",
                                                        state_since=date(2026, 10, 1),
                                                        arrears_since=date(2026, 9, 20)),
                                            Line.objects.filter(pk=line.pk).update(status="one_way_barred")),
    # an emergency pass that ended in the window
    "pass_ended": lambda line: (bill(line, "50.00", date(2026, 10, 1)),
                                EmergencyPass.objects.create(line=line, granted_at=at(date(2026, 10, 9)),
                                                             valid_until=date(2026, 10, 15), overdraft_cap=100,
                                                             usable_at_grant=-50, channel="app",
                                                             policy_version="barring-v1")),
    # nothing owed: quiet
    "quiet": lambda line: bill(line, "10.00", date(2026, 12, 20)),
}
STARS = {"fees_bar": 3, "restored_then_reminded": 2, "exempt": 3}


def build(case: str) -> Line:
    line = LineFactory()
    star = STARS.get(case)
    line.customer.credit_star, line.customer.credit_limit = star, Decimal(LIMITS[star])
    line.customer.save()
    CASES[case](line)
    return line


def outcome(line: Line) -> dict:
    pk = str(line.pk)
    line.refresh_from_db()
    account = LineAccount.objects.get(pk=line.pk)
    return {
        "fees": list(LedgerEntry.objects.filter(line=line, kind="late_fee").order_by("posted_at")
                     .values_list("posted_at", "amount", "note")),
        "barring": list(BarringEvent.objects.filter(line=line).order_by("at", "id")
                        .values_list("from_state", "to_state", "rule", "at", "usable_credit")),
        "events": list(DecisionEvent.objects.filter(line_id=line.pk).order_by("occurred_at", "id")
                       .values_list("kind", "from_state", "to_state", "rule", "occurred_at", "payload")),
        "account": (account.state, account.state_since, account.arrears_since, account.balance),
        "line": (line.status, line.closed_on, line.customer.__class__.objects.get(pk=line.customer_id).status),
        "status_log": list(LineStatusChange.objects.filter(line=line).order_by("changed_at", "id")
                           .values_list("from_status", "to_status", "changed_at", "reason")),
        "sms": sorted((m.event, m.body.replace(line.customer.name, "N"), m.created_at,
                       m.dedup_key.replace(f"-{pk}-", "-L-", 1))
                      for m in SmsMessage.objects.filter(msisdn=line.msisdn)),
        "blacklist": list(BlacklistEntry.objects.filter(line=line).values_list("amount_owed", "created_at")),
        "passes": list(EmergencyPass.objects.filter(line=line).values_list("arrears_at_expiry", flat=True)),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_catch_up_leaves_what_each_night_would(case):
    nightly, caught_up = build(case), build(case)
    for n in range((LAST - FIRST).days + 1):
        evaluate_chunk(nightly.pk, nightly.pk + 1, FIRST + timedelta(days=n))
    evaluate_chunk(caught_up.pk, caught_up.pk + 1, LAST, first_day=FIRST)
    assert outcome(caught_up) == outcome(nightly)
    # and running the window again changes nothing
    before = outcome(caught_up)
    assert evaluate_chunk(caught_up.pk, caught_up.pk + 1, LAST, first_day=FIRST) == 0
    assert outcome(caught_up) == before


def test_the_cases_do_what_they_say():
    """The equivalence above is only worth something if the window holds what the cases claim."""
    lines = {case: build(case) for case in ("overdue", "closes", "fees_bar", "exempt", "restored_then_reminded")}
    for line in lines.values():
        evaluate_chunk(line.pk, line.pk + 1, LAST, first_day=FIRST)
    moves = {case: list(BarringEvent.objects.filter(line=line, at__gte=at(FIRST, 0)).order_by("at")
                        .values_list("to_state", flat=True)) for case, line in lines.items()}
    # barred one way when the bill came (real time); two way on 31 Oct: 30 days after 1 Oct
    assert moves["overdue"] == ["two_way_barred"]
    assert moves["closes"] == ["closed"]
    assert moves["fees_bar"][-2:] == ["one_way_barred", "two_way_barred"]
    assert moves["exempt"] == ["two_way_barred"]  # on the 26th, the exemption over
    assert moves["restored_then_reminded"] == ["active", "reminded"]
    closed = BarringEvent.objects.get(line=lines["closes"], to_state="closed").at.astimezone(SHANGHAI).date()
    assert closed == date(2026, 11, 18)  # 20 Aug + 90 days
    last_fee = LedgerEntry.objects.filter(line=lines["closes"], kind="late_fee").order_by("-posted_at").first()
    assert last_fee.reference.endswith(str(closed))
