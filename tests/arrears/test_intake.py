"""Billing intake of usage summaries and line status changes: idempotent, validated, logged, scoped."""

import uuid
from decimal import Decimal

import pytest
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers.models import Line, LineStatusChange, UsageSummary
from tests.factories import LineFactory

USAGE, USAGE_BULK = "/api/billing/usage/", "/api/billing/usage/bulk/"
STATUS, STATUS_BULK = "/api/billing/line-status/", "/api/billing/line-status/bulk/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with freeze_time("2026-11-24 10:00:00+08:00"):
        yield


@pytest.fixture
def billing(org):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return api


def usage(line, month="2026-10", **overrides):
    return {"msisdn": line.msisdn, "month": month, "voice_minutes": 320, "data_mb": 5120, "sms_count": 12,
            "competitor_hotline_calls": 1, "plan_saturation": "87.50", "broadband_bundled": True,
            "bill_amount": "88.00", "prepaid_balance": "12.30", **overrides}


def post(api, url, body, key=None):
    return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex)


def test_a_usage_month_is_stored_then_corrected_by_a_resend(billing):
    line = LineFactory()
    first = post(billing, USAGE, usage(line))
    assert first.status_code == 201 and first.json() == {
        "msisdn": line.msisdn, "month": "2026-10", "created": True,
        # the barring state the policy gives now: the account opens from billing's prepaid balance (12.30)
        "usable_credit": "12.30", "state": "active", "rule": "", "applied": True}
    corrected = post(billing, USAGE, usage(line, bill_amount="90.50"))
    assert corrected.json()["created"] is False
    row = UsageSummary.objects.get(line=line)
    assert row.bill_amount == Decimal("90.50") and row.customer_id == line.customer_id and row.data_mb == 5120


def test_a_usage_replay_answers_the_first_result_and_a_changed_body_is_409(billing):
    line = LineFactory()
    assert post(billing, USAGE, usage(line), key="u-1").status_code == 201
    replay = post(billing, USAGE, usage(line), key="u-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert post(billing, USAGE, usage(line, sms_count=13), key="u-1").status_code == 409
    assert UsageSummary.objects.get(line=line).sms_count == 12


@pytest.mark.parametrize("overrides, field", [
    ({"month": "2026-13"}, "month"), ({"month": "2027-01"}, "month"), ({"voice_minutes": -1}, "voice_minutes"),
    ({"bill_amount": "1.005"}, "bill_amount"), ({"msisdn": "2381234567"}, "msisdn"),
    ({"plan_saturation": None}, "plan_saturation"),
])
def test_bad_usage_names_the_field_and_writes_nothing(billing, overrides, field):
    line = LineFactory()
    response = post(billing, USAGE, usage(line, **overrides))
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not UsageSummary.objects.filter(line=line).exists()


def test_usage_for_an_unknown_line_is_404(billing):
    response = post(billing, USAGE, {**usage(LineFactory.build()), "msisdn": "13999999999"})
    assert response.status_code == 404 and not UsageSummary.objects.exists()


def test_bulk_usage_is_all_or_nothing_and_names_the_item(billing):
    a, b = LineFactory(), LineFactory()
    response = post(billing, USAGE_BULK, {"items": [usage(a), usage(b, data_mb="lots")]})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["items[1].data_mb"]
    assert not UsageSummary.objects.exists()
    ok = post(billing, USAGE_BULK, {"items": [usage(a), usage(b, month="2026-09")]})
    assert ok.status_code == 201 and ok.json()["posted"] == 2 and UsageSummary.objects.count() == 2


def test_bulk_usage_tells_a_new_month_from_a_resent_one_and_the_last_repeat_wins(billing):
    """`created` comes from the upsert itself: a month already stored is replaced (false), a new month is created
    by its first item of the batch (true) and replaced by its repeats (false, the last one's figures kept)."""
    a, b = LineFactory(), LineFactory()
    assert post(billing, USAGE, usage(a)).json()["created"] is True
    items = [usage(a, sms_count=20), usage(b), usage(a, month="2026-09"), usage(b, sms_count=30),
             usage(b, sms_count=31), usage(a, month="2026-09", sms_count=40)]
    response = post(billing, USAGE_BULK, {"items": items})
    assert response.status_code == 201
    answers = sorted((r["index"], r["msisdn"], r["month"], r["created"]) for r in response.json()["results"])
    assert answers == [(0, a.msisdn, "2026-10", False), (1, b.msisdn, "2026-10", True),
                       (2, a.msisdn, "2026-09", True), (3, b.msisdn, "2026-10", False),
                       (4, b.msisdn, "2026-10", False), (5, a.msisdn, "2026-09", False)]
    stored = {(u.line_id, f"{u.month:%Y-%m}"): u.sms_count for u in UsageSummary.objects.all()}
    assert stored == {(a.pk, "2026-10"): 20, (b.pk, "2026-10"): 31, (a.pk, "2026-09"): 40}
    again = post(billing, USAGE_BULK, {"items": [usage(b), usage(a, month="2026-08")]})
    assert [r["created"] for r in sorted(again.json()["results"], key=lambda r: r["index"])] == [False, True]


def test_a_status_change_is_applied_and_logged_once(billing):
    line = LineFactory(status="active")
    body = {"msisdn": line.msisdn, "status": "two_way_barred", "changed_at": "2026-11-24T09:00:00+08:00",
            "reason": "reported lost"}
    first = post(billing, STATUS, body)
    assert first.status_code == 201 and first.json() == {"msisdn": line.msisdn, "status": "two_way_barred",
                                                         "changed": True}
    again = post(billing, STATUS, body)  # a new key, the same fact: nothing changes
    assert again.status_code == 201 and again.json()["changed"] is False
    change = LineStatusChange.objects.get(line=line)
    assert (change.from_status, change.to_status, change.source) == ("active", "two_way_barred", "billing")
    assert Line.objects.get(pk=line.pk).status == "two_way_barred"


def test_closing_the_last_line_closes_the_customer_and_reopening_within_the_retention_period_reopens(billing):
    line = LineFactory(status="active")
    closed = post(billing, STATUS, {"msisdn": line.msisdn, "status": "closed",
                                    "changed_at": "2026-11-24T09:00:00+08:00", "reason": "cancelled"})
    assert closed.status_code == 201
    line.customer.refresh_from_db()
    assert line.customer.status == "closed"  # their only line (credit ends by customers_closed: h-credit)
    reopen = post(billing, STATUS, {"msisdn": line.msisdn, "status": "active",
                                    "changed_at": "2026-11-24T10:00:00+08:00", "reason": "mistake"})
    assert reopen.status_code == 201 and Line.objects.get(pk=line.pk).closed_on is None
    assert LineStatusChange.objects.filter(line=line).count() == 2


def test_bulk_status_partial_writes_the_good_items_and_reports_the_closed_one(billing):
    good, closed = LineFactory(status="active"), LineFactory(status="closed")
    items = [{"msisdn": n.msisdn, "status": "one_way_barred", "changed_at": "2026-11-24T09:00:00+08:00",
              "reason": "network"} for n in (good, closed)]
    strict = post(billing, STATUS_BULK, {"items": items})
    assert strict.status_code == 400 and not LineStatusChange.objects.exists()
    partial = post(billing, STATUS_BULK, {"items": items, "partial": True})
    assert partial.status_code == 200
    assert partial.json()["posted"] == 1 and partial.json()["errors"][0]["index"] == 1
    assert Line.objects.get(pk=good.pk).status == "one_way_barred"


def test_an_account_manager_cannot_push_billing_facts(client, org):
    line = LineFactory(customer=org.book[org.am1.pk][0])
    api = APIClient()
    api.force_authenticate(org.am1)
    assert post(api, USAGE, usage(line)).status_code == 403
