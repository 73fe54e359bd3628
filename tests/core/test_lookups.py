"""Name pickers (issue 18 item 5): customers and staff looked up by name within the requester's scope, and the
forms that take them checking the posted id against that scope."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.selectors import LOOKUP_LIMIT
from credit.forms import BlacklistAddForm
from credit.models import SmsTemplate
from customers.models import BlacklistEntry, Customer
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _found(client, name, **params) -> list[dict]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_manager_finds_customers_in_the_book_only(org):
    mine, theirs = org.book[org.am1.pk][0], org.book[org.am4.pk][0]
    Customer.objects.filter(pk=mine.pk).update(name="欧阳明")
    Customer.objects.filter(pk=theirs.pk).update(name="欧阳外")  # the same first characters
    mine.refresh_from_db()
    LineFactory(customer=mine, msisdn="13912345678")
    LineFactory(customer=theirs, msisdn="13912345679")
    client = _client(org.am1)
    by_name = _found(client, "lookup-customers", q="欧阳")
    assert [r["id"] for r in by_name] == [mine.pk]
    assert by_name[0]["text"] == mine.name
    assert "139****5678" in by_name[0]["sub"] and "13912345678" not in by_name[0]["sub"]  # masked number
    assert [r["id"] for r in _found(client, "lookup-customers", q="1391234")] == [mine.pk]
    assert [r["id"] for r in _found(client, "lookup-customers", q=str(mine.pk))] == [mine.pk]
    # outside the book: not by name, number, customer number or the exact id the picker labels a value with
    assert _found(client, "lookup-customers", q="13912345679") == []
    assert theirs.pk not in [r["id"] for r in _found(client, "lookup-customers", q=str(theirs.pk))]
    assert _found(client, "lookup-customers", id=theirs.pk) == []
    assert [r["id"] for r in _found(client, "lookup-customers", id=mine.pk)] == [mine.pk]
    # a province-wide role finds both
    found = {r["id"] for r in _found(_client(org.credit_officer), "lookup-customers", q="欧阳")}
    assert {mine.pk, theirs.pk} <= found


def test_a_lookup_answers_a_few_and_refuses_a_malformed_value_by_name(org):
    for _n in range(LOOKUP_LIMIT + 5):
        CustomerFactory(name="张三丰", account_manager=org.am1, region=org.region_a)
    client = _client(org.am1)
    assert len(_found(client, "lookup-customers", q="张三")) == LOOKUP_LIMIT
    assert _found(client, "lookup-customers", q="") == []
    bad = client.get(reverse("lookup-customers"), {"id": "1 OR 1=1"})
    assert bad.status_code == 400 and "id" in bad.json()
    long = client.get(reverse("lookup-customers"), {"q": "张" * 300})
    assert long.status_code == 400 and "q" in long.json()


def test_staff_are_found_by_display_name_or_login_among_those_one_may_pick(org):
    am2_name = org.am2.staff_profile.display_name
    def ids(user, **params):
        return {r["id"] for r in _found(_client(user), "lookup-users", **params)}

    lead = {r["id"]: r["text"] for r in _found(_client(org.lead_a1), "lookup-users", q=am2_name)}
    assert lead[org.am2.pk] == am2_name
    assert org.am4.pk not in ids(org.lead_a1, q=org.am4.username)  # another team
    assert org.am4.pk not in ids(org.regional_a, q=org.am4.username)  # another region
    assert org.am3.pk in ids(org.regional_a, q=org.am3.username)
    assert ids(org.am1, q=org.am2.username) == set()  # a manager picks only oneself
    assert ids(org.am1, q=org.am1.username) == {org.am1.pk}
    assert org.am4.pk in ids(org.admin, q=org.am4.username)
    assert org.billing_service.pk not in ids(org.admin, q=org.billing_service.username)  # never a service account
    admin = _client(org.admin)
    assert [r["username"] for r in _found(admin, "lookup-users", username=org.am4.username)] == [org.am4.username]


def test_blacklist_add_refuses_a_customer_outside_the_scope_naming_the_field(org):
    outside = CustomerFactory(account_manager=org.am4, region=org.region_b)
    response = _client(org.credit_officer).post(reverse("credit:blacklist-add"), {
        "customer": 999999, "reason": "欺诈", "amount_owed": "10.00"})
    assert response.status_code == 302
    with translation.override("zh-hans"):
        expected = f"{BlacklistAddForm.base_fields['customer'].label}: {_('Unknown, or not in your scope.')}"
    assert expected in [str(m) for m in get_messages(response.wsgi_request)]
    assert not BlacklistEntry.objects.exists()
    # a province-wide officer reaches every customer: this one is in scope
    _client(org.credit_officer).post(reverse("credit:blacklist-add"), {
        "customer": outside.pk, "reason": "欺诈", "amount_owed": "10.00"})
    assert BlacklistEntry.objects.filter(customer=outside).exists()


def test_the_blacklist_page_offers_a_customer_picker(org):
    page = _client(org.credit_officer).get(reverse("credit:blacklist")).content.decode()
    assert f'data-lookup="{reverse("lookup-customers")}"' in page


def test_the_sms_preview_names_a_sample_outside_the_scope_as_its_fields_error(org):
    template = SmsTemplate.objects.get(event="limit_changed")
    client = _client(org.credit_officer)
    mine = org.book[org.am1.pk][0]
    response = client.get(reverse("credit:sms-template", args=[template.pk]), {"customer": mine.pk, "preview": 1})
    assert response.status_code == 200 and response.context["sample_customer"] == mine
    response = client.get(reverse("credit:sms-template", args=[template.pk]), {"customer": 999999, "preview": 1})
    assert "customer" in response.context["sample_form"].errors
    assert f'data-lookup="{reverse("lookup-customers")}"' in response.content.decode()


def test_the_audit_filter_picks_a_user_by_name_and_refuses_an_unknown_one(org):
    client = _client(org.admin)
    response = client.get(reverse("audit"), {"username": org.am1.username})
    assert response.status_code == 200 and response.context["form"].is_valid()
    assert response.context["form"].cleaned_data["username"] == org.am1
    response = client.get(reverse("audit"), {"username": "no-such-login"})
    assert "username" in response.context["form"].errors
    assert f'data-lookup="{reverse("lookup-users")}"' in response.content.decode()


def test_list_filters_by_person_are_pickers_posting_the_id(org):
    page = _client(org.lead_a1).get(reverse("retention:alerts"), {"account_manager": org.am1.pk}).content.decode()
    assert f'data-lookup="{reverse("lookup-users")}"' in page and f'value="{org.am1.pk}"' in page


def test_money_stays_decimal():  # the blacklist form's amount is still a Decimal after the picker change
    form = BlacklistAddForm({"customer": "1", "reason": "x", "amount_owed": "1.50"})
    assert not form.is_valid() and "customer" in form.errors  # no user: no customer is in scope
    assert form.cleaned_data["amount_owed"] == Decimal("1.50")
