"""The VIP tier is a governed field (only credit officers and administrators set it, on every path), and every
reveal of personal data records its purpose (a choice and a free-text note), shown on the audit page."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from customers.models import Customer, PersonalDataAccess

pytestmark = pytest.mark.django_db

PURPOSE = {"purpose": "service_request", "purpose_note": "客户来电要求核对登记地址"}


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# ---------------------------------------------------------------- VIP tier


def test_an_account_manager_cannot_set_the_vip_tier_and_nothing_changes(org):
    customer = org.book[org.am1.pk][0]
    response = api_as(org.am1).patch(f"/api/customers/{customer.pk}/", {"vip_tier": "diamond", "occupation": "医生"},
                                     format="json")
    assert response.status_code in (400, 403)
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("vip_tier", "governed")]
    customer.refresh_from_db()
    assert (customer.vip_tier, customer.occupation) == ("ordinary_1", "")


def test_a_team_lead_cannot_set_the_vip_tier_either(org):
    customer = org.book[org.am1.pk][0]
    response = api_as(org.lead_a1).patch(f"/api/customers/{customer.pk}/", {"vip_tier": "gold"}, format="json")
    assert response.status_code in (400, 403)
    assert Customer.objects.get(pk=customer.pk).vip_tier == "ordinary_1"


def test_an_unchanged_vip_tier_in_a_managers_update_is_no_change(org):
    customer = org.book[org.am1.pk][0]
    response = api_as(org.am1).patch(f"/api/customers/{customer.pk}/", {"vip_tier": "ordinary_1",
                                                                        "occupation": "医生"}, format="json")
    assert response.status_code == 200
    assert Customer.objects.get(pk=customer.pk).occupation == "医生"


@pytest.mark.parametrize("role", ["credit_officer", "admin"])
def test_the_owners_of_the_vip_tier_set_it(org, role):
    customer = org.book[org.am1.pk][0]
    response = api_as(getattr(org, role)).patch(f"/api/customers/{customer.pk}/", {"vip_tier": "platinum"},
                                                format="json")
    assert response.status_code == 200 and response.json()["vip_tier"] == "platinum"
    assert customer.history.latest().history_user == getattr(org, role)


def test_the_admin_form_shows_the_vip_tier_read_only_to_those_who_do_not_own_it(org):
    from django.contrib.auth.models import Permission

    model_admin = site._registry[Customer]
    customer = org.book[org.am1.pk][0]
    request = RequestFactory().get("/")
    request.user = org.am1
    assert "vip_tier" in model_admin.get_readonly_fields(request, customer)
    request.user = org.admin
    assert "vip_tier" not in model_admin.get_readonly_fields(request, customer)
    assert Permission.objects.filter(codename="set_vip_tier", group__name="credit_officer").exists()


# ---------------------------------------------------------------- reveal purpose


def test_the_page_reveal_asks_for_a_purpose_and_reveals_nothing_without_one(client, org):
    customer = org.book[org.am1.pk][0]
    client.force_login(org.am1)
    url = reverse("customers:detail", args=[customer.pk])
    assert 'name="purpose"' in client.get(url).content.decode()
    response = client.post(url, {"purpose": "service_request", "purpose_note": " "})
    assert response.status_code == 200 and customer.id_number not in response.content.decode()
    assert "purpose_note" in response.context["reveal_form"].errors
    assert client.post(url, {"purpose": "curiosity", "purpose_note": "x"}).context["reveal_form"].errors["purpose"]
    assert not PersonalDataAccess.objects.exists()
    response = client.post(url, PURPOSE)
    assert customer.id_number in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.purpose, access.purpose_note, access.channel) == ("service_request", PURPOSE["purpose_note"],
                                                                      "page")


def test_the_api_reveal_needs_a_purpose_and_logs_it(org):
    customer = org.book[org.am1.pk][0]
    api = api_as(org.am1)
    url = f"/api/customers/{customer.pk}/personal-data/"
    response = api.post(url, {}, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"purpose", "purpose_note"}
    assert not PersonalDataAccess.objects.exists()
    response = api.post(url, PURPOSE, format="json")
    assert response.status_code == 200 and response.json()["id_number"] == customer.id_number
    access = PersonalDataAccess.objects.get()
    assert (access.purpose, access.purpose_note, access.channel) == ("service_request", PURPOSE["purpose_note"],
                                                                      "api")


def test_a_reveal_without_the_permission_is_refused_whatever_the_purpose(org):
    customer = org.all_customers[0]
    response = api_as(org.marketing).post(f"/api/customers/{customer.pk}/personal-data/", PURPOSE, format="json")
    assert response.status_code == 403 and not PersonalDataAccess.objects.exists()


def test_the_audit_page_shows_each_reveals_purpose(client, org):
    customer = org.book[org.am1.pk][0]
    api_as(org.am1).post(f"/api/customers/{customer.pk}/personal-data/", PURPOSE, format="json")
    client.force_login(org.admin)
    html = client.get(reverse("audit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert PURPOSE["purpose_note"] in html
