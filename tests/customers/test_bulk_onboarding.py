"""Bulk onboarding (/api/customers/bulk/): the single onboarding's controls per item, set-based writes,
all-or-nothing by default, partial on request, idempotent per request."""

import uuid

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers.models import BlacklistEntry, Customer, Line, OnboardingCallback, RelatedContact
from tests.factories import ChannelFactory, PlanFactory, resident_id

pytestmark = pytest.mark.django_db
URL = "/api/customers/bulk/"


@pytest.fixture
def api(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.am1).key}")
    return client


@pytest.fixture
def person(org):
    plan = PlanFactory()
    channel = ChannelFactory(region=org.region_a, code="outlet-cs-01")

    def make(i, **overrides):
        return {"name": "王小明", "id_number": resident_id(100 + i, born="19880808"), "msisdn": f"1391234{i:04d}",
                "region": org.region_a.code, "brand": plan.brand.code, "plan": plan.code,
                "acquiring_channel": channel.code, "policy_explained": True, "address": "湖南省长沙市雨花区",
                "related_contacts": [{"name": "王大明", "relation": "父亲", "msisdn": f"1391235{i:04d}"}],
                **overrides}

    return make


def post(api, body, key=None):
    return api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex)


def test_a_batch_opens_customers_lines_contacts_and_callbacks(api, person, org):
    response = post(api, {"items": [person(i) for i in range(30)]}, key="onb-1")
    assert response.status_code == 201, response.json()
    assert response.json()["posted"] == 30
    customers = Customer.objects.filter(id_number__in=[person(i)["id_number"] for i in range(30)])
    assert customers.count() == 30 and {c.account_manager_id for c in customers} == {org.am1.pk}
    assert {c.credit_star for c in customers} == {None} and customers[0].data_completeness == 60
    assert Line.objects.filter(customer__in=customers).count() == 30
    assert RelatedContact.objects.filter(customer__in=customers).count() == 30
    assert OnboardingCallback.objects.filter(customer__in=customers).count() == 30
    assert Customer.history.filter(id__in=customers.values("id"), history_type="+").count() == 30
    replay = post(api, {"items": [person(i) for i in range(30)]}, key="onb-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert Customer.objects.filter(id_number__in=[person(i)["id_number"] for i in range(30)]).count() == 30


def test_one_refused_item_opens_nothing_and_names_index_and_rule(api, person):
    BlacklistEntry.objects.create(id_number=person(2)["id_number"], reason="欠费销户", amount_owed="88.80")
    items = [person(0), person(1), person(2), person(3, msisdn=person(0)["msisdn"])]
    response = post(api, {"items": items})
    assert response.status_code == 400
    fields = {(e["field"]) for e in response.json()["errors"]}
    assert {"items[2].id_number", "items[3].msisdn"} <= fields, fields
    assert not Customer.objects.filter(name="王小明").exists()


def test_partial_opens_the_good_ones(api, person):
    post(api, {"items": [person(0)]})
    response = post(api, {"items": [person(0), person(1), person(2, policy_explained=False)], "partial": True})
    assert response.status_code == 200
    body = response.json()
    assert body["posted"] == 1 and [e["index"] for e in body["errors"]] == [0, 2]
    assert Customer.objects.filter(name="王小明").count() == 2


def test_more_than_10000_items_is_413(api, person):
    assert post(api, {"items": [person(0)] * 10_001}).status_code == 413
