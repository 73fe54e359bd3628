"""Each role sees exactly its scope, on the list page, the 360° page, the API and the export."""

import csv
import io

import pytest
from django.urls import reverse

from core.choices import Role

pytestmark = pytest.mark.django_db


def expected_ids(org, user):
    role_scope = {
        "am1": org.book[org.am1.pk],
        "lead_a1": org.book[org.am1.pk] + org.book[org.am2.pk],
        "regional_a": org.book[org.am1.pk] + org.book[org.am2.pk] + org.book[org.am3.pk],
        "nobody": [],
    }
    for role in (Role.CREDIT_OFFICER, Role.COLLECTIONS, Role.MARKETING, Role.ADMIN, Role.BILLING_SERVICE):
        role_scope[role.value] = org.all_customers
    return {c.pk for c in role_scope[user]}


USERS = ["am1", "lead_a1", "regional_a", "credit_officer", "collections", "marketing", "admin", "nobody"]


@pytest.mark.parametrize("who", USERS)
def test_list_page_shows_only_scope(client, org, who):
    client.force_login(getattr(org, who))
    response = client.get(reverse("customers:list"))
    if who == "nobody":
        assert response.status_code == 403
        return
    shown = {c.pk for c in response.context["object_list"]}
    assert shown == expected_ids(org, who)


@pytest.mark.parametrize("who", USERS + ["billing_service"])
def test_api_list_shows_only_scope(client, org, who):
    if who == "billing_service":  # a service account: its token, never a session
        from rest_framework.authtoken.models import Token

        client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=org.billing_service).key}"
    else:
        client.force_login(getattr(org, who))
    response = client.get("/api/customers/", {"page_size": 100})
    if who == "nobody":
        assert response.status_code == 403
        return
    assert {row["id"] for row in response.json()["results"]} == expected_ids(org, who)


@pytest.mark.parametrize("who", ["am1", "lead_a1", "regional_a", "credit_officer"])
def test_detail_outside_scope_is_404_in_page_and_api(client, org, who):
    client.force_login(getattr(org, who))
    visible = expected_ids(org, who)
    for customer in org.all_customers:
        page = client.get(reverse("customers:detail", args=[customer.pk]))
        api = client.get(f"/api/customers/{customer.pk}/")
        expected = 200 if customer.pk in visible else 404
        assert (page.status_code, api.status_code) == (expected, expected), customer


@pytest.mark.parametrize("who", ["am1", "lead_a1", "regional_a", "collections"])
def test_export_contains_only_scope_and_masks_ids(client, org, who):
    client.force_login(getattr(org, who))
    response = client.get(reverse("customers:export"))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {int(r["id"]) for r in rows} == expected_ids(org, who)
    assert all("**********" in r["id_number"] for r in rows)


def test_marketing_cannot_export(client, org):
    client.force_login(org.marketing)
    assert client.get(reverse("customers:export")).status_code == 403


def test_account_manager_cannot_reveal_outside_book(client, org):
    client.force_login(org.am1)
    other = org.book[org.am4.pk][0]
    assert client.post(reverse("customers:detail", args=[other.pk])).status_code == 404
    why = {"purpose": "other", "purpose_note": "x"}
    assert client.post(f"/api/customers/{other.pk}/personal-data/", why, content_type="application/json"
                       ).status_code == 404


def test_line_api_is_scoped(client, org):
    from tests.factories import LineFactory

    mine = LineFactory(customer=org.book[org.am1.pk][0])
    theirs = LineFactory(customer=org.book[org.am4.pk][0])
    client.force_login(org.am1)
    ids = {row["id"] for row in client.get("/api/lines/").json()["results"]}
    assert mine.pk in ids and theirs.pk not in ids
    assert client.get(f"/api/lines/{theirs.pk}/").status_code == 404
