import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers.models import Customer, Line, OnboardingCallback, PersonalDataAccess
from tests.factories import ChannelFactory, PlanFactory, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(org):
    client = APIClient()
    token = Token.objects.create(user=org.am1)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def payload(org):
    plan = PlanFactory()
    channel = ChannelFactory(region=org.region_a, code="outlet-cs-01")
    return {
        "name": "王小明", "id_number": resident_id(1, born="19880808"), "msisdn": "13912345678",
        "region": org.region_a.code, "brand": plan.brand.code, "plan": plan.code, "acquiring_channel": channel.code,
        "policy_explained": True, "address": "湖南省长沙市雨花区",
        "related_contacts": [{"name": "王大明", "relation": "父亲", "msisdn": "13912340000"}],
    }


def test_token_required(org):
    assert APIClient().get("/api/customers/").status_code == 401


def test_onboard_through_api(api, payload, org):
    response = api.post("/api/customers/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number"].startswith("4301") and "*" in body["id_number"]  # masked in responses
    assert body["lines"] == ["13912345678"]
    customer = Customer.objects.get(pk=body["id"])
    assert customer.account_manager == org.am1
    assert OnboardingCallback.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"id_number": "430102199001011232"}, "id_number", "checksum"),
        ({"id_number": "43010219900101"}, "id_number", "length"),
        ({"msisdn": "1391234567"}, "msisdn", "msisdn"),
        ({"msisdn": None}, "msisdn", "null"),
        ({"name": None}, "name", "null"),
        ({"policy_explained": "perhaps"}, "policy_explained", "invalid"),
        ({"join_date": "yesterday"}, "join_date", "invalid"),
        ({"region": "9999"}, "region", "does_not_exist"),
        ({"related_contacts": [{"name": "x", "relation": "y", "msisdn": "1"}]}, "related_contacts[0].msisdn",
         "msisdn"),
        ({"policy_explained": False}, "policy_explained", "required"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(api, payload, change, field, code):
    body = {**payload, **change}
    response = api.post("/api/customers/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in errors], errors
    assert all(e["message"] for e in errors)
    assert not Line.objects.filter(msisdn=payload["msisdn"]).exists()
    assert not Customer.objects.filter(name="王小明").exists()


def test_missing_field_is_named(api, payload):
    del payload["plan"]
    response = api.post("/api/customers/", payload, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("plan", "required")]


def test_error_messages_follow_accept_language(api, payload):
    del payload["plan"]
    english = api.post("/api/customers/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = api.post("/api/customers/", payload, format="json")
    assert english.json()["errors"][0]["message"] == "This field is required."
    assert chinese.json()["errors"][0]["message"] == "该字段是必填项。"


def test_blacklisted_is_400_with_amount(api, payload):
    from decimal import Decimal

    from customers.models import BlacklistEntry

    BlacklistEntry.objects.create(id_number=payload["id_number"], reason="欠费销户", amount_owed=Decimal("88.80"))
    response = api.post("/api/customers/", payload, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("id_number", "blacklisted") and "88.80" in error["message"]


def test_personal_data_endpoint_unmasks_and_logs(api, org):
    customer = org.book[org.am1.pk][0]
    response = api.post(f"/api/customers/{customer.pk}/personal-data/",
                        {"purpose": "identity_check", "purpose_note": "柜台核验"}, format="json")
    assert response.json()["id_number"] == customer.id_number
    assert PersonalDataAccess.objects.get().channel == "api"


def test_patch_updates_allowed_fields_and_validates(api, org):
    customer = org.book[org.am1.pk][0]
    assert api.patch(f"/api/customers/{customer.pk}/", {"occupation": "医生"}, format="json").status_code == 200
    customer.refresh_from_db()
    assert customer.occupation == "医生"
    bad = api.patch(f"/api/customers/{customer.pk}/", {"vip_tier": "emperor"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "vip_tier"


def test_filters_are_shared_with_the_ui(api, org):
    customer = org.book[org.am1.pk][0]
    Customer.objects.filter(pk=customer.pk).update(credit_star=4)
    rows = api.get("/api/customers/", {"star": "4"}).json()["results"]
    assert [r["id"] for r in rows] == [customer.pk]
    rows = api.get("/api/customers/", {"q": customer.id_last4}).json()["results"]
    assert customer.pk in [r["id"] for r in rows]
    assert api.get("/api/customers/", {"star": "9"}).status_code == 400


def test_line_create_validates_msisdn_and_scope(api, org):
    from django.utils import timezone

    mine, theirs = org.book[org.am1.pk][0], org.book[org.am4.pk][0]
    plan = PlanFactory()
    today = timezone.localdate().isoformat()
    ok = api.post("/api/lines/", {"customer": mine.pk, "msisdn": "13700001234", "plan": plan.code,
                                  "activated_on": today}, format="json")
    assert ok.status_code == 201, ok.json()
    bad = api.post("/api/lines/", {"customer": mine.pk, "msisdn": "137", "plan": plan.code,
                                   "activated_on": today}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "msisdn"
    foreign = api.post("/api/lines/", {"customer": theirs.pk, "msisdn": "13700005678", "plan": plan.code,
                                       "activated_on": today}, format="json")
    assert foreign.status_code == 400 and foreign.json()["errors"][0]["field"] == "customer"


def test_openapi_schema_and_docs(client, org):
    client.force_login(org.am1)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and "/api/customers/" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.parametrize("param", ["tenure_min", "tenure_max"])
def test_a_tenure_beyond_100_years_is_a_400_naming_the_filter(api, param):
    response = api.get("/api/customers/", {param: "4.3e16"})
    assert response.status_code == 400
    assert param in str(response.json())
    assert api.get("/api/customers/", {param: "1200"}).status_code == 200
