"""The inputs operators have besides billing, through the public API: each stored and visible on the 360 page
and the API read, idempotent (replay, 409), validated (400 naming the field, nothing written), bulk set-based."""

import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers.models import CallQuality, CareContact, Contract, Device, HeldService, PaymentMethodRecord
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db
API = "/api/inputs/"


@pytest.fixture(autouse=True)
def today():
    with freeze_time("2026-11-24 10:00:00+08:00"):
        yield


@pytest.fixture
def billing(org):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return api


def post(api, url, body, key=None):
    return api.post(API + url, body, format="json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex)


def device(line, **kw):
    return {"msisdn": line.msisdn, "brand": "华为", "model": "Mate 60", "price_band": "high", "dual_sim": True,
            "first_used_on": "2024-03-01", **kw}


def care(line, **kw):
    return {"msisdn": line.msisdn, "reference": "T-1", "contact_kind": "complaint", "channel": "hotline",
            "reason": "信号差", "outcome": "unresolved", "contacted_at": "2026-11-20T09:30:00+08:00", **kw}


def quality(line, **kw):
    return {"msisdn": line.msisdn, "month": "2026-10", "dropped_calls": 7, "blocked_calls": 1,
            "unanswered_calls": 12, "roaming_minutes": 30, "overage_minutes": 45, **kw}


def contract(line, **kw):
    return {"msisdn": line.msisdn, "contract_type": "two_year", "starts_on": "2025-01-01",
            "ends_on": "2027-01-01", "early_exit_fee": "300.00", **kw}


def held(line, **kw):
    return {"msisdn": line.msisdn, "code": "broadband_fiber", "started_on": "2025-05-01", **kw}


def paying(line, **kw):
    return {"msisdn": line.msisdn, "method": "card", "auto_pay": True, "since": "2025-06-01", **kw}


def test_a_device_is_stored_and_a_newer_one_supersedes_it(billing):
    line = LineFactory()
    first = post(billing, "devices/", device(line))
    assert first.status_code == 201, first.json()
    assert first.json() == {"msisdn": line.msisdn, "first_used_on": "2024-03-01", "created": True}
    assert post(billing, "devices/", device(line, brand="苹果", model="iPhone 16", first_used_on="2026-09-10",
                                            dual_sim=False)).status_code == 201
    old, new = Device.objects.filter(line=line).order_by("started_on")
    assert (old.superseded_on, new.superseded_on) == (date(2026, 9, 10), None)
    assert new.customer_id == line.customer_id


def test_each_input_is_stored_once_per_fact_and_corrected_by_a_resend(billing):
    line = LineFactory()
    for url, body, model in [("care-contacts/", care(line), CareContact), ("call-quality/", quality(line), CallQuality),
                             ("contracts/", contract(line), Contract), ("services-held/", held(line), HeldService),
                             ("payment-methods/", paying(line), PaymentMethodRecord)]:
        response = post(billing, url, body)
        assert response.status_code == 201, (url, response.json())
        assert response.json()["created"] is True
        again = post(billing, url, body)  # a new key, the same fact: replaced, not doubled
        assert again.status_code == 201 and again.json()["created"] is False
        assert model.objects.filter(line=line).count() == 1
    assert post(billing, "services-held/", held(line, ended_on="2026-10-31")).json()["created"] is False
    assert HeldService.objects.get(line=line).ended_on == date(2026, 10, 31)
    row = CallQuality.objects.get(line=line)
    assert (row.month, row.dropped_calls, row.overage_minutes) == (date(2026, 10, 1), 7, 45)


def test_a_replay_answers_the_first_result_and_a_changed_body_is_409(billing):
    line = LineFactory()
    assert post(billing, "call-quality/", quality(line), key="q-1").status_code == 201
    replay = post(billing, "call-quality/", quality(line), key="q-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert post(billing, "call-quality/", quality(line, dropped_calls=8), key="q-1").status_code == 409
    assert CallQuality.objects.get(line=line).dropped_calls == 7


@pytest.mark.parametrize("url, body, field", [
    ("devices/", lambda ln: device(ln, price_band="luxury"), "price_band"),
    ("devices/", lambda ln: device(ln, first_used_on="2026-12-01"), "first_used_on"),
    ("care-contacts/", lambda ln: care(ln, contact_kind="praise"), "contact_kind"),
    ("care-contacts/", lambda ln: care(ln, contacted_at="2027-01-01T00:00:00+08:00"), "contacted_at"),
    ("care-contacts/", lambda ln: care(ln, contacted_at="2019-01-01T00:00:00+08:00"), "contacted_at"),
    ("call-quality/", lambda ln: quality(ln, month="2026-12"), "month"),
    ("call-quality/", lambda ln: quality(ln, dropped_calls=-1), "dropped_calls"),
    ("call-quality/", lambda ln: quality(ln, roaming_minutes=50_000), "roaming_minutes"),
    ("contracts/", lambda ln: contract(ln, ends_on="2026-01-01"), "ends_on"),
    ("contracts/", lambda ln: contract(ln, contract_type="month_to_month"), "ends_on"),
    ("contracts/", lambda ln: contract(ln, early_exit_fee="-1"), "early_exit_fee"),
    ("contracts/", lambda ln: contract(ln, early_exit_fee=300), "early_exit_fee"),
    ("services-held/", lambda ln: held(ln, ended_on="2025-01-01"), "ended_on"),
    ("services-held/", lambda ln: held(ln, code="pigeon_post"), "code"),
    ("payment-methods/", lambda ln: paying(ln, method="cash"), "auto_pay"),
    ("payment-methods/", lambda ln: paying(ln, colour="red"), "colour"),
    ("payment-methods/", lambda ln: paying(ln, msisdn="2381234567"), "msisdn"),
])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(billing, url, body, field):
    line = LineFactory()
    response = post(billing, url, body(line))
    assert response.status_code == 400, response.json()
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not any(m.objects.exists() for m in (Device, CareContact, CallQuality, Contract, HeldService,
                                                  PaymentMethodRecord))


def test_an_unknown_line_is_404_and_a_fact_before_the_customer_joined_is_400(billing):
    line = LineFactory(customer__join_date=date(2026, 6, 1))
    assert post(billing, "contracts/", contract(line, msisdn="13999999999")).status_code == 404
    early = post(billing, "contracts/", contract(line))  # starts 2025-01-01, joined 2026-06-01
    assert early.status_code == 400 and early.json()["errors"][0]["field"] == "starts_on"


def test_an_account_manager_cannot_post_inputs(org):
    api = APIClient()
    api.force_authenticate(org.am1)
    assert post(api, "devices/", device(LineFactory(customer=org.book[org.am1.pk][0]))).status_code == 403


def _bulk_queries(billing, url, bodies) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = post(billing, url + "bulk/", {"items": bodies})
    assert response.status_code == 201, response.json()
    return len(ctx.captured_queries), response.json()


@pytest.mark.parametrize("url, make, model", [
    ("devices/", device, Device), ("call-quality/", quality, CallQuality), ("care-contacts/", care, CareContact),
])
def test_a_bulk_is_written_set_based_its_queries_do_not_grow_with_its_items(billing, url, make, model):
    lines = LineFactory.create_batch(500)
    few, _ = _bulk_queries(billing, url, [make(line) for line in lines[:5]])
    many, answer = _bulk_queries(billing, url, [make(line, **({"reference": "T-2"} if url.startswith("care") else
                                                               {"first_used_on": "2024-04-01"}
                                                               if url.startswith("dev") else {"month": "2026-09"}))
                                                for line in lines])
    assert many == few <= 12
    assert answer["posted"] == 500 and answer["results"][499]["msisdn"] == lines[499].msisdn
    assert model.objects.count() == 505


def test_a_bulk_is_all_or_nothing_naming_the_item_and_partial_writes_the_good_ones(billing):
    a, b = LineFactory(), LineFactory()
    items = [quality(a), quality(b, blocked_calls="many"), quality(a)]
    strict = post(billing, "call-quality/bulk/", {"items": items})
    assert strict.status_code == 400
    assert [e["field"] for e in strict.json()["errors"]] == ["items[1].blocked_calls"]
    assert not CallQuality.objects.exists()
    partial = post(billing, "call-quality/bulk/", {"items": items, "partial": True})
    assert partial.status_code == 200, partial.json()
    assert partial.json()["posted"] == 1 and [e["index"] for e in partial.json()["errors"]] == [1, 2]
    assert CallQuality.objects.count() == 1


def test_a_bulk_of_more_than_10000_items_is_413(billing):
    line = LineFactory()
    assert post(billing, "devices/bulk/", {"items": [device(line)] * 10_001}).status_code == 413


def test_every_input_shows_on_the_360_page_and_the_api_read(billing, client, org):
    line = LineFactory(customer=org.book[org.am1.pk][0])
    for url, body in [("devices/", device(line, first_used_on="2023-11-20")),
                      ("devices/", device(line, brand="小米", model="14 Pro", first_used_on="2025-11-24")),
                      ("care-contacts/", care(line)),
                      ("care-contacts/", care(line, reference="T-9", contact_kind="retention_call",
                                              outcome="offer_declined", reason="想携号转网")),
                      ("call-quality/", quality(line)), ("call-quality/", quality(line, month="2026-08")),
                      ("contracts/", contract(line)), ("services-held/", held(line)),
                      ("services-held/", held(line, code="streaming_tv", started_on="2025-01-01",
                                              ended_on="2025-12-31")),
                      ("payment-methods/", paying(line, method="e_wallet", auto_pay=False, since="2024-01-01")),
                      ("payment-methods/", paying(line))]:
        assert post(billing, url, body).status_code == 201, (url, body)
    read = billing.get(f"/api/customers/{line.customer_id}/inputs/").json()
    assert read["device"]["model"] == "14 Pro" and read["device_months"] == 12
    assert read["earlier_devices"][0]["superseded_on"] == "2025-11-24"
    assert read["contract"]["kind"] == "two_year" and read["contract_days_left"] == 38
    assert [s["code"] for s in read["services_held"]] == ["broadband_fiber"]  # streaming ended last year
    assert read["payment_method"] == {"msisdn": line.msisdn, "method": "card", "auto_pay": True,
                                      "since": "2025-06-01"}
    assert read["care_counts_90d"] == {"complaint": 1, "retention_call": 1}
    assert [m["month"] for m in read["call_quality"]] == ["2026-08", "2026-10"]  # September unknown, not 0
    client.force_login(org.am1)
    page = client.get(f"/customers/{line.customer_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for shown in ("小米 14 Pro", "两年", "光纤宽带", "银行卡", "自动扣款", "投诉",
                  "想携号转网", "掉话"):
        assert shown in page, shown
    other = client_for(org.am4)
    assert other.get(f"/api/customers/{line.customer_id}/inputs/").status_code == 404


def client_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api
