"""Arrears aging from the due date of the oldest unpaid bill (issue 13): the collection buckets, the 30 days to
two-way barring and the report by age read it from a line's FIRST night. Bills and payments come in through the
intake services; the age is the product's own nightly derivation."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from freezegun import freeze_time

from arrears import selectors
from arrears.models import LineAccount
from arrears.services import bill_record, payment_record
from arrears.tasks import evaluate_nightly
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_NIGHT = date(2026, 11, 24)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def bill(line, *, due_days_ago: int, amount="100.00"):
    due = FIRST_NIGHT - timedelta(days=due_days_ago)
    with freeze_time(at(due - timedelta(days=20))):
        bill_record(line=line, period=due.replace(day=1), amount=Decimal(amount), due_date=due)


def first_night():
    with freeze_time(at(FIRST_NIGHT, 0).replace(minute=30)):
        evaluate_nightly(FIRST_NIGHT.isoformat())


def test_a_bill_75_days_past_due_is_61_90_on_the_first_night_in_the_queue_and_the_report(client, org):
    line = LineFactory()
    bill(line, due_days_ago=75)
    first_night()
    account = LineAccount.objects.get(pk=line.pk)
    assert account.arrears_since == FIRST_NIGHT - timedelta(days=75)
    # the 30 days to two-way barring are counted by the same date: barred two-way on its first night
    assert account.state == "two_way_barred"
    client.force_login(org.collections)
    with freeze_time(at(FIRST_NIGHT)):
        page = client.get(reverse("arrears:collection"), {"bucket": "61-90"})
        summary = {row["bucket"]: row["lines"] for row in page.context["summary"]}
        report = selectors.aging_summary(user=org.collections)
    assert [a.pk for a in page.context["object_list"]] == [line.pk]
    assert "75 (61-90)" in page.content.decode()
    assert summary == {"0-30": 0, "31-60": 0, "61-90": 1, "91-180": 0, ">180": 0}
    assert {r["bucket"]: r["lines"] for r in report}["61-90"] == 1


@pytest.mark.parametrize("due_days_ago, bucket", [(0, None), (1, "0-30"), (45, "31-60"), (120, "91-180"),
                                                   (200, ">180")])
def test_every_bucket_on_the_first_night(due_days_ago, bucket, org):
    line = LineFactory()
    bill(line, due_days_ago=due_days_ago)
    first_night()
    account = LineAccount.objects.get(pk=line.pk)
    if bucket is None:  # billed, not yet past due: below 0 since the bill was posted (the real-time decision)
        assert account.arrears_since == FIRST_NIGHT - timedelta(days=20)
        bucket = "0-30"
    with freeze_time(at(FIRST_NIGHT)):
        queue = selectors.collection_queue(user=org.collections, bucket=bucket)
        assert list(queue.values_list("pk", flat=True)) == [line.pk]


def test_paying_the_oldest_bill_moves_the_age_to_the_next_unpaid_one_at_once(org):
    line = LineFactory()
    bill(line, due_days_ago=75)
    with freeze_time(at(FIRST_NIGHT - timedelta(days=45 + 20))):
        bill_record(line=line, period=date(2026, 10, 1), amount=Decimal("50.00"),
                    due_date=FIRST_NIGHT - timedelta(days=45))
    first_night()
    assert LineAccount.objects.get(pk=line.pk).arrears_since == FIRST_NIGHT - timedelta(days=75)
    with freeze_time(at(FIRST_NIGHT)):
        payment_record(line=line, amount=Decimal("100.30"), paid_at=at(FIRST_NIGHT), channel="bank",
                       reference="age-1")  # the first bill and tonight's late fee on it... not the second bill
        account = LineAccount.objects.get(pk=line.pk)
        assert account.arrears_since == FIRST_NIGHT - timedelta(days=45)
        assert list(selectors.collection_queue(user=org.collections, bucket="31-60")
                    .values_list("pk", flat=True)) == [line.pk]


def test_a_paid_up_line_has_no_age():
    line = LineFactory()
    bill(line, due_days_ago=75)
    first_night()
    with freeze_time(at(FIRST_NIGHT)):
        payment_record(line=line, amount=Decimal("200.00"), paid_at=at(FIRST_NIGHT), channel="bank", reference="p")
    account = LineAccount.objects.get(pk=line.pk)
    assert account.arrears_since is None and account.state == "active"
