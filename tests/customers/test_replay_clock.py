"""The replay's business clock (core.clock): a province replayed up to a day in the past has every decision and row
the intake and the nights wrote dated in the replayed history — never on the day the replay ran — and a line
restored by a payment is restored on that payment's day (its batch decided when the payment came in, not at the end
of the feed window)."""

from datetime import datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.customers.test_generator import PINNED, generate, reseed

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = PINNED  # 2026-03-15: the replay's today, long before any run of this test
MONTHS = 3


def local_day(moment):
    return moment.astimezone(SHANGHAI).date()


def test_a_replay_in_the_past_dates_what_it_writes_in_the_replayed_history():
    from arrears.choices import BarringState
    from arrears.models import BarringEvent, LedgerEntry, LineAccount, Payment
    from credit.models import Rating, SmsDelivery, SmsMessage
    from customers.models import DecisionEvent, LineStatusChange

    reseed()
    generate(seed=5, today=TODAY)
    call_command("replay_province", months=MONTHS, today=TODAY, stdout=StringIO())
    after = datetime.combine(TODAY + timedelta(days=1), time.min, tzinfo=SHANGHAI)  # the day after the replay's today

    dated = {"barring events": (BarringEvent.objects, "at"), "line status changes": (LineStatusChange.objects,
                                                                                    "changed_at"),
             "decision events": (DecisionEvent.objects, "occurred_at"), "ledger": (LedgerEntry.objects, "posted_at"),
             "SMS": (SmsMessage.objects, "created_at"), "ratings": (Rating.objects, "decided_at"),
             "SMS sent": (SmsMessage.objects.filter(sent_at__isnull=False), "sent_at"),
             "SMS attempts": (SmsDelivery.objects, "attempted_at")}
    for what, (rows, field) in dated.items():
        assert rows.exists(), what
        late = rows.filter(**{f"{field}__gte": after}).order_by(field).values_list(field, flat=True)
        assert not late.exists(), f"{late.count()} {what} dated after {TODAY}, e.g. {late.last()}"
    assert LineAccount.objects.exists() and not LineAccount.objects.filter(state_since__gt=TODAY).exists()

    # billing reads the decisions where it looks: its event log, in order, none after the replay's today
    api = APIClient()
    api.force_authenticate(get_user_model().objects.get(username="billing_demo"))
    page = api.get("/api/billing/events/", {"after": 0, "limit": 1000}).json()
    assert page["events"]
    assert max(datetime.fromisoformat(e["occurred_at"]) for e in page["events"]) < after

    # a restoration decided on intake (no nightly run) is dated on the day of the payment that paid it back,
    # at or after that payment; the line's status log and billing's event say the same moment
    restored = BarringEvent.objects.filter(run__isnull=True, to_state=BarringState.ACTIVE,
                                           from_state__in=[BarringState.ONE_WAY, BarringState.TWO_WAY])
    assert restored.count() >= 10
    for event in restored:
        paid = Payment.objects.filter(line_id=event.line_id, paid_at__lte=event.at).order_by("-paid_at").first()
        assert paid is not None and local_day(paid.paid_at) == local_day(event.at), (
            f"line {event.line_id} restored on {local_day(event.at)}, its last payment before that on "
            f"{paid and local_day(paid.paid_at)}")
        assert DecisionEvent.objects.filter(line_id=event.line_id, kind="restored", occurred_at=event.at).exists()
        assert LineStatusChange.objects.filter(line_id=event.line_id, to_status="active",
                                               changed_at=event.at).exists()
