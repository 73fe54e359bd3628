"""Onboarding in bulk (up to 10,000 per request): the single onboarding's controls, checked as a batch and
written set-based, with per-item results; idempotent under its key."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers.models import BlacklistEntry, Customer, Line, OnboardingCallback
from tests.factories import ChannelFactory, CustomerFactory, LineFactory, PlanFactory, resident_id

pytestmark = pytest.mark.django_db
URL = "/api/customers/bulk/"


@pytest.fixture(autouse=True)
def today():
    with freeze_time("2026-11-24 10:00:00+08:00"):
        yield


def client_of(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


@pytest.fixture
def billing(org):
    return client_of(org.billing_service)


@pytest.fixture
def person(org):
    plan = PlanFactory()
    channel = ChannelFactory(region=org.region_a, code="outlet-cs-01")

    def make(n, **kw):
        return {"name": f"新客{n}", "id_number": resident_id(5000 + n, born="19880808"), "msisdn": f"1391{n:07d}",
                "region": org.region_a.code, "brand": plan.brand.code, "plan": plan.code,
                "acquiring_channel": channel.code, "policy_explained": True, **kw}

    make.plan = plan
    return make


def post(api, body, key=None):
    return api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex)


def test_customers_and_their_lines_are_onboarded_with_per_item_results(billing, person, org):
    response = post(billing, {"items": [person(1), person(2, more_lines=[{"msisdn": "13800009999",
                                                                            "plan": person.plan.code}])]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["onboarded"] == 2 and body["failed"] == 0
    second = Customer.objects.get(pk=body["results"][1]["customer"])
    assert body["results"][1]["msisdns"] == ["13910000002", "13800009999"]
    assert sorted(second.lines.values_list("msisdn", flat=True)) == ["13800009999", "13910000002"]
    assert second.join_date == date(2026, 11, 24) and second.id_last4 == second.id_number[-4:]
    assert second.birth_date == date(1988, 8, 8) and second.status == "active"
    assert OnboardingCallback.objects.filter(customer=second, due_on=date(2026, 11, 27)).exists()
    callback = OnboardingCallback.objects.get(customer=second)  # every column as the model's defaults would give it
    assert (callback.status, callback.outcome) == ("open", "")
    assert callback.assigned_to.username == org.billing_service.username
    assert callback.created_at == callback.updated_at == second.created_at
    assert second.history.count() == 1 and Line.history.filter(customer_id=second.pk).count() == 2
    created = second.history.get()  # the "+" row: who onboarded, why, with the customer's columns
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+", org.billing_service, "bulk onboarding") and created.id_number == second.id_number
    assert client_of_customer_api(billing, second.pk)["lines"] == ["13800009999", "13910000002"]


def client_of_customer_api(api, pk):
    return api.get(f"/api/customers/{pk}/").json()


def test_the_onboarding_controls_hold_per_item_and_nothing_is_written_when_one_fails(billing, person, org):
    BlacklistEntry.objects.create(id_number=resident_id(5003, born="19880808"), reason="old arrears",
                                  amount_owed=Decimal("120.00"))
    taken = LineFactory(msisdn="13910000004")
    holder = CustomerFactory(id_number=resident_id(5006, born="19880808"))
    LineFactory.create_batch(5, customer=holder)
    items = [person(1), person(2, id_number="430102198808081234"), person(3), person(4),
             person(5, policy_explained=False), person(6, id_type="passport"), person(7, plan="no-such-plan"),
             person(8, id_number=person(1)["id_number"]), person(9, join_date="2020-01-01")]
    response = post(billing, {"items": items})
    assert response.status_code == 400
    fields = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert fields == {"items[1].id_number": "checksum", "items[2].id_number": "blacklisted",
                      "items[3].msisdn": "taken", "items[4].policy_explained": "required",
                      "items[5].id_number": "numbers_per_person", "items[6].plan": "unknown",
                      "items[7].id_number": "repeated", "items[8].join_date": "migration_only"}
    assert Customer.objects.count() == len(org.all_customers) + 2  # the taken line's and the holder
    assert taken.customer.lines.count() == 1
    partial = post(billing, {"items": items, "partial": True})
    assert partial.status_code == 200 and partial.json()["onboarded"] == 1
    assert [r["index"] for r in partial.json()["results"]] == [0]
    assert partial.json()["failed"] == 8


def test_an_administrator_imports_earlier_join_dates_with_a_reason(org, person):
    admin = client_of(org.admin)
    no_reason = post(admin, {"items": [person(1, join_date="2021-03-01")]})
    assert {e["field"] for e in no_reason.json()["errors"]} == {"items[0].migration_reason"}
    ok = post(admin, {"items": [person(1, join_date="2021-03-01")], "migration_reason": "legacy BOSS batch 7"})
    assert ok.status_code == 201, ok.json()
    customer = Customer.objects.get(pk=ok.json()["results"][0]["customer"])
    assert customer.join_date == date(2021, 3, 1) and customer.lines.get().activated_on == date(2021, 3, 1)
    assert not OnboardingCallback.objects.filter(customer=customer).exists()
    assert "legacy BOSS batch 7" in customer.history.get().history_change_reason


def test_a_replay_answers_the_first_result_and_a_changed_body_is_409(billing, person):
    body = {"items": [person(1)]}
    first = post(billing, body, key="onb-1")
    replay = post(billing, body, key="onb-1")
    assert replay.status_code == 201 and replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert post(billing, {"items": [person(2)]}, key="onb-1").status_code == 409
    assert Customer.objects.filter(name__in=["新客1", "新客2"]).count() == 1


def test_a_bulk_of_500_is_written_with_a_bounded_number_of_queries(billing, person):
    with CaptureQueriesContext(connection) as few:
        assert post(billing, {"items": [person(n) for n in range(5)]}).status_code == 201
    with CaptureQueriesContext(connection) as many:
        response = post(billing, {"items": [person(n) for n in range(100, 600)]})
    assert response.status_code == 201 and response.json()["onboarded"] == 500
    assert len(many.captured_queries) == len(few.captured_queries) <= 30
    assert Customer.objects.filter(name__startswith="新客").count() == 505


def test_more_than_10000_is_413_and_an_account_manager_without_the_right_gets_403(billing, person, org):
    assert post(billing, {"items": [person(1)] * 10_001}).status_code == 413
    assert post(client_of(org.regional_a), {"items": [person(1)]}).status_code == 403
