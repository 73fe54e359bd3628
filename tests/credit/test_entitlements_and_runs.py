"""Entitlements applied with the spec's numbers (source 004), through the service and the API; rating runs
governed: current or past periods only, once, and an audited supersede that reverses the earlier run first."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from freezegun import freeze_time

from arrears.models import LedgerEntry, LineAccount
from core.models import BatchRun
from credit import entitlements, policies, runs
from credit.models import RebateClaim, Rating, SimReplacement
from credit.services import legacy_grade_import
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db

GRADES = {5: "AAA", 4: "AA", 3: "A", 2: "BBB", 1: "BB"}


def rated(star, customer=None):
    customer = customer or CustomerFactory(join_date=date(2010, 1, 1))
    LineFactory(customer=customer)
    legacy_grade_import(customer=customer, grade=GRADES[star])
    customer.refresh_from_db()
    return customer


# --- pure rules, the spec's numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize("star, free", [(5, 5), (4, 4), (3, 3), (2, 0), (1, 0), (0, 0), (None, 0)])
def test_free_sim_replacements_per_year_by_star(star, free):
    price = Decimal("10.00")
    fees = [policies.sim_replacement_fee(star, used, price).fee for used in range(6)]
    assert fees == [Decimal("0.00")] * free + [price] * (6 - free)


@pytest.mark.parametrize("star, waived", [(5, True), (4, True), (3, True), (2, False), (None, False)])
@pytest.mark.parametrize("service", ["opening", "international"])
def test_opening_and_international_fees_waived_for_3_stars_and_above(star, waived, service):
    fee = policies.service_fee(service, star, Decimal("50.00"))
    assert (fee.fee, fee.rule) == ((Decimal("0.00"), "fee_waiver_3_star") if waived else (Decimal("50.00"),
                                                                                            "list_price"))


@pytest.mark.parametrize("service", policies.FLEXIBLE_AUTH_SERVICES)
def test_flexible_authentication_for_3_stars_on_the_7_services(service):
    assert len(policies.FLEXIBLE_AUTH_SERVICES) == 7
    assert policies.verification_methods(service, 3)["any_one_of"] == ["id_document", "service_password", "sms_code"]
    assert policies.verification_methods(service, 2)["any_one_of"] == ["id_document"]
    assert policies.verification_methods("other", 5)["any_one_of"] == ["id_document"]


def test_rebate_before_verification_is_for_5_stars_only():
    assert [policies.rebate_pays_first(s) for s in (5, 4, 3, None)] == [True, False, False, False]


def test_numbers_per_person_relaxed_to_20_for_3_stars():
    from customers.policies import numbers_per_person

    assert [numbers_per_person(s) for s in (5, 3, 2, None)] == [20, 20, 5, 5]


# --- through the services and the API --------------------------------------------------------------------------

def test_sim_replacement_quota_is_counted_per_year_through_the_api(org):
    customer = rated(3, org.book[org.am1.pk][0])
    client = Client()
    client.force_login(org.am1)
    url = f"/api/customers/{customer.pk}/sim-replacements/"
    fees = [client.post(url, {"channel": "outlet"}, content_type="application/json").json()["fee"]
            for _ in range(4)]
    assert fees == ["0.00", "0.00", "0.00", "10.00"]  # 3★: three free a year
    assert SimReplacement.objects.filter(customer=customer).count() == 4
    with freeze_time("2027-01-02 10:00:00+08:00"):  # a new year, a new quota
        assert entitlements.fee_quote(customer=customer, service="sim_replacement").fee == Decimal("0.00")
    bad = client.post(url, {"channel": "outlet", "msisdn": "13000000000"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "msisdn"
    assert SimReplacement.objects.filter(customer=customer).count() == 4


def test_service_terms_api_applies_waivers_and_names_the_methods(org):
    customer = rated(4, org.book[org.am1.pk][0])
    client = Client()
    client.force_login(org.am1)
    terms = client.get(f"/api/customers/{customer.pk}/service-terms/?service=international").json()
    assert terms["fee"] == {"list_price": "50.00", "fee": "0.00", "rule": "fee_waiver_3_star"}
    assert terms["verification"]["any_one_of"] == ["id_document", "service_password", "sms_code"]
    unknown = client.get(f"/api/customers/{customer.pk}/service-terms/?service=teleport")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "service"


def test_rebate_paid_first_for_5_stars_and_recovered_when_verification_fails(org):
    five = rated(5)
    claim = entitlements.rebate_request(customer=five, amount=Decimal("30.00"), reason="合约返费", by=org.am1)
    line = claim.line
    assert claim.status == RebateClaim.Status.PAID_UNVERIFIED
    assert LineAccount.objects.get(pk=line.pk).balance == Decimal("30.00")
    entitlements.rebate_verify(claim=claim, passed=False, note="资料不符", by=org.credit_officer)
    claim.refresh_from_db()
    assert claim.status == RebateClaim.Status.RECOVERED
    assert LineAccount.objects.get(pk=line.pk).balance == Decimal("0.00")
    adjustments = LedgerEntry.objects.filter(line=line, kind="adjustment").values_list("amount", flat=True)
    assert sorted(adjustments) == [Decimal("-30.00"), Decimal("30.00")]
    four = rated(4)
    waiting = entitlements.rebate_request(customer=four, amount=Decimal("30.00"), reason="合约返费", by=org.am1)
    assert waiting.status == RebateClaim.Status.AWAITING_VERIFICATION and not LedgerEntry.objects.filter(
        line=waiting.line).exists()
    client = Client()
    client.force_login(org.credit_officer)
    answer = client.post(f"/api/credit/rebates/{waiting.pk}/verify/", {"passed": True},
                         content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "paid"
    again = client.post(f"/api/credit/rebates/{waiting.pk}/verify/", {"passed": False},
                        content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "not_pending"


# --- run periods ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, period, rule", [
    ("base", "2027-01", "future_period"), ("base", "2026-12", None), ("base", "2026-11", None),
    ("guidance", "2027-H1", "future_period"), ("guidance", "2026-H2", None), ("guidance", "2026-H1", None),
    ("base", "2026-13", "period_format"), ("guidance", "2026-12", "period_format")])
def test_only_the_current_or_a_past_period(kind, period, rule):
    refusal = policies.rating_period_refusal(kind, period, date(2026, 12, 7))
    assert (refusal[0] if refusal else None) == rule


def test_a_future_half_year_is_refused_through_the_api_and_writes_nothing(org):
    client = Client()
    client.force_login(org.credit_officer)
    with freeze_time("2026-12-07 10:00:00+08:00"):
        answer = client.post("/api/credit/rating-runs/", {"kind": "guidance", "period": "2027-H1"},
                             content_type="application/json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["code"] == "future_period"
    assert not BatchRun.objects.exists()


def test_a_period_runs_once_and_supersede_reverses_first(org):
    customer = CustomerFactory(join_date=date(2010, 1, 1), avg_monthly_spend=Decimal("250.00"),
                               data_completeness=100)
    LineFactory(customer=customer)
    first = runs.rating_run_start(kind="base", period="2026-11")
    customer.refresh_from_db()
    star = customer.credit_star
    assert first.started and star is not None
    again = runs.rating_run_start(kind="base", period="2026-11")
    assert not again.started and "ran already" in again.message
    assert Rating.objects.filter(customer=customer).count() == 1
    with pytest.raises(PermissionDenied):
        runs.rating_run_supersede(kind="base", period="2026-11", reason="模型修正", by=org.am1)
    with pytest.raises(ValidationError):
        runs.rating_run_supersede(kind="base", period="2026-11", reason="", by=org.credit_officer)
    redone = runs.rating_run_supersede(kind="base", period="2026-11", reason="模型修正", by=org.credit_officer)
    customer.refresh_from_db()
    reversal = Rating.objects.get(customer=customer, rule="supersede")
    assert (reversal.old_star, reversal.new_star, reversal.decided_by) == (star, None, org.credit_officer)
    assert "模型修正" in reversal.reason
    assert redone.started and customer.credit_star == star  # re-rated by the new run, from unrated again
    assert BatchRun.objects.filter(kind="credit.base").count() == 2


def test_a_rebate_is_not_verified_by_whoever_requested_it(org):
    """Review: a credit officer could request a rebate and verify (pay) it themselves."""
    four = rated(4)
    client = Client()
    client.force_login(org.credit_officer)
    asked = client.post(f"/api/customers/{four.pk}/rebates/", {"amount": "30.00", "reason": "合约返费"},
                        content_type="application/json")
    assert asked.status_code == 201, asked.content
    claim_id = asked.json()["id"]
    own = client.post(f"/api/credit/rebates/{claim_id}/verify/", {"passed": True}, content_type="application/json")
    assert own.status_code == 403
    assert RebateClaim.objects.get(pk=claim_id).status == RebateClaim.Status.AWAITING_VERIFICATION
    assert not LedgerEntry.objects.filter(line__customer=four).exists()
    client.force_login(org.admin)
    other = client.post(f"/api/credit/rebates/{claim_id}/verify/", {"passed": True}, content_type="application/json")
    assert other.status_code == 200 and other.json()["status"] == "paid"
