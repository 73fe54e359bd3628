"""Credit governance (issue 12): who may move limits, and within which ranges.

Each test here reproduces a hole an adversarial review found on the code before the fix.
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from credit.models import ExtendedServiceRequest, Rating
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db

EXTENDED = "/api/credit/extended-requests/"


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def rate(customer, star, limit):
    customer.credit_star, customer.credit_limit = star, Decimal(limit)
    customer.save()
    return customer


def limits(*customers):
    return tuple(type(c).objects.get(pk=c.pk).credit_limit for c in customers)


def ask(api, service, giver, msisdn, amount, channel="outlet"):
    return api.post(EXTENDED, {"service": service, "giver": giver.pk, "receiver_msisdn": msisdn,
                               "amount": amount, "channel": channel}, format="json")


@pytest.fixture
def pair(org):
    """am1's 5★ customer (limit 500) and am1's 4★ customer (limit 200) with a line."""
    giver, receiver = org.book[org.am1.pk]
    rate(giver, 5, "500.00")
    rate(receiver, 4, "200.00")
    LineFactory(customer=giver)
    LineFactory(customer=receiver, msisdn="13977770001")
    return giver, receiver


# --- 1. credit transfer: only the roles that govern credit, in scope, inside the star ranges ------------------

@pytest.mark.parametrize("role", ["marketing", "billing_service", "regional_a", "am1", "lead_a1", "collections"])
def test_a_credit_transfer_needs_the_credit_role(org, pair, role):
    """Before the fix every reader of customers could move limits (201 approved, limits changed). Now a 403,
    and nothing is recorded: asking for a decision that is not yours is not a refused request."""
    giver, receiver = pair
    response = ask(api_as(getattr(org, role)), "credit_transfer", giver, "13977770001", "100")
    assert response.status_code == 403
    assert limits(giver, receiver) == (Decimal("500.00"), Decimal("200.00"))
    assert not ExtendedServiceRequest.objects.exists()
    assert not Rating.objects.exists()


def test_a_credit_officer_transfers_inside_both_ranges(org, pair):
    giver, receiver = pair
    response = ask(api_as(org.credit_officer), "credit_transfer", giver, "13977770001", "100")
    assert response.status_code == 201 and response.json()["status"] == "approved"
    assert limits(giver, receiver) == (Decimal("400.00"), Decimal("300.00"))


@pytest.mark.parametrize("giver_star, giver_limit, receiver_star, receiver_limit, amount, rule", [
    (5, "500", 0, "0", "200", "receiver_range"),  # the review's 0★ receiver whose limit became 400
    (5, "300", 4, "200", "100", "giver_range"),  # the review's 5★ giver who dropped to 100 (here 200)
    (5, "500", 4, "250", "100", "receiver_range"),  # 4★ would reach 350 > 300
    (5, "500", None, "0", "50", "receiver_range"),  # unrated: no limit at all
    (4, "300", 1, "10", "20", "receiver_range"),  # 1★ would reach 30 > 20
])
def test_a_transfer_that_leaves_a_star_range_is_refused_naming_the_rule(
        org, pair, giver_star, giver_limit, receiver_star, receiver_limit, amount, rule):
    giver, receiver = pair
    rate(giver, giver_star, giver_limit)
    rate(receiver, receiver_star, receiver_limit)
    response = ask(api_as(org.credit_officer), "credit_transfer", giver, "13977770001", amount)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("amount", rule)
    assert limits(giver, receiver) == (Decimal(giver_limit), Decimal(receiver_limit))
    assert not ExtendedServiceRequest.objects.exists()  # a refusal writes nothing (issue 14)


# Credit transfer is not here: an account manager may not ask for one at all (403 above), and the roles that may
# see the whole province.
@pytest.mark.parametrize("service, channel", [("credit_sharing", "app"), ("balance_transfer", "app")])
def test_the_receiver_must_be_in_the_callers_scope(org, pair, service, channel):
    """Before the fix the receiver could be any number in the province."""
    giver, _ = pair
    rate(org.book[org.am4.pk][0], 4, "200.00")
    LineFactory(customer=org.book[org.am4.pk][0], msisdn="13977770004")
    response = ask(api_as(org.am1), service, giver, "13977770004", "10", channel=channel)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "receiver_msisdn"
    assert not ExtendedServiceRequest.objects.filter(receiver_msisdn="13977770004", status="approved").exists()


def test_an_account_manager_still_shares_credit_within_the_own_book(org, pair):
    giver, receiver = pair
    response = ask(api_as(org.am1), "credit_sharing", giver, "13977770001", "50", channel="app")
    assert response.status_code == 201 and response.json()["status"] == "approved"
    assert limits(giver, receiver) == (Decimal("500.00"), Decimal("200.00"))  # sharing moves no limit


def test_a_refusal_by_an_existing_rule_is_a_400_naming_it_and_writes_nothing(org, pair):
    giver, _ = pair
    rate(giver, 2, "20.00")
    response = ask(api_as(org.am1), "credit_sharing", giver, "13977770001", "10", channel="app")
    assert response.status_code == 400
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["field"]) == ("min_star", "giver")
    assert not ExtendedServiceRequest.objects.exists()
