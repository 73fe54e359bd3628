"""Review of the merged endpoints: an account manager reads only their book and acts only within their role;
bad input is a 4xx, never a 5xx."""

import uuid
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from credit import blacklist
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


def api_for(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def test_an_account_manager_sees_only_their_book_on_the_new_endpoints(org):
    mine, theirs = org.book[org.am1.pk][0], org.book[org.am4.pk][0]
    theirs_line = LineFactory(customer=theirs, customer__credit_star=3)
    theirs.credit_star, theirs.credit_limit = 3, Decimal("50.00")
    theirs.save()
    blacklist.blacklist_entry_add(customer=theirs, reason="欺诈", amount_owed=Decimal("1.00"), by=org.credit_officer)
    am1 = api_for(org.am1)
    assert am1.get(f"/api/customers/{mine.pk}/inputs/").status_code == 200
    assert am1.get(f"/api/customers/{theirs.pk}/inputs/").status_code == 404
    events = am1.get("/api/billing/events/")
    assert events.status_code == 403 or all(e["line_id"] != theirs_line.pk for e in events.json()["events"])
    key = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    device = {"msisdn": theirs_line.msisdn, "brand": "x", "model": "y", "price_band": "low", "dual_sim": False,
              "first_used_on": "2026-01-01"}
    assert am1.post("/api/inputs/devices/", device, format="json", **key).status_code == 403
    page = APIClient()
    page.force_login(org.am1)
    for url in ("/webhooks/", "/credit/blacklist/", "/credit/blacklist/add/"):
        assert page.get(url).status_code in (302, 403), url
    assert page.post("/credit/blacklist/add/", {"customer": mine.pk, "reason": "x", "amount_owed": "1"}
                     ).status_code in (302, 403)
    assert page.post(f"/credit/customers/{theirs.pk}/blacklist/clear/", {"reason": "x"}).status_code in (302, 403, 404)
    assert page.get("/retention/models/").status_code in (200, 302, 403)


@pytest.mark.parametrize("body", [
    {"msisdn": "13800000000", "status": "closed", "changed_at": "2026-11-20T16:00:00+08:00", "reason": "x"},
    {"msisdn": 13800000000, "status": 5, "changed_at": "2026-13-45", "reason": []},
    {"msisdn": "1" * 400, "status": "closed", "changed_at": "99999-01-01T00:00:00", "reason": "x" * 5000},
])
def test_bad_line_status_is_a_4xx(org, body):
    api = api_for(org.billing_service)
    response = api.post("/api/billing/line-status/", body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert 400 <= response.status_code < 500, response.content


@pytest.mark.parametrize("query", [{"after": "x"}, {"after": "9" * 40}, {"limit": "-1"}, {"after": "1.5"},
                                   {"limit": "1e9"}])
def test_bad_event_cursor_is_a_4xx(org, query):
    response = api_for(org.billing_service).get("/api/billing/events/", query)
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("item", [
    {"msisdn": "13800000000", "month": "2026-13", "dropped_calls": 1, "blocked_calls": 1, "unanswered_calls": 1,
     "roaming_minutes": 1, "overage_minutes": 1},
    {"msisdn": "13800000000", "month": "2026-01", "dropped_calls": 10**30, "blocked_calls": "x",
     "unanswered_calls": None, "roaming_minutes": -1, "overage_minutes": 1.5},
])
def test_bad_inputs_are_a_4xx(org, item):
    api = api_for(org.billing_service)
    for url, body in (("/api/inputs/call-quality/", item), ("/api/inputs/call-quality/bulk/", {"items": [item]}),
                      ("/api/inputs/call-quality/bulk/", {"items": "x"})):
        response = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        assert 400 <= response.status_code < 500, (url, response.content)
