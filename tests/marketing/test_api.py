"""The campaign API: same services as the pages; illegal steps are 400 naming the rule, forbidden ones 403."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from marketing.choices import CampaignStatus as S
from marketing.choices import RiskControl
from marketing.models import Campaign, CampaignMember
from tests.factories import CustomerFactory
from tests.marketing.conftest import make_campaign, walk

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}",
                       HTTP_ACCEPT_LANGUAGE="en")
    return client


BODY = {"name": "家庭融合", "goal": "宽带+手机融合", "segment": {"star": ["2", "3"], "tenure_min": 12},
        "in_plan_tariff": "0.1000", "out_of_plan_tariff": "0.4000", "usage_cap": "150.00", "deposit": "0.00",
        "incentive_basis": "volume"}


def test_marketing_creates_a_draft_and_edits_it_only_while_draft(org):
    client = api(org.marketing)
    response = client.post("/api/marketing/campaigns/", BODY, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft" and data["author"] == org.marketing.username
    assert data["segment"] == {"star": ["2", "3"], "tenure_min": 12}
    pk = data["id"]
    assert client.patch(f"/api/marketing/campaigns/{pk}/", {"deposit": "30.00"}, format="json").status_code == 200
    assert Campaign.objects.get(pk=pk).deposit == Decimal("30.00")
    assert client.post(f"/api/marketing/campaigns/{pk}/transition/", {"to_status": "submitted"},
                       format="json").status_code == 200
    response = client.patch(f"/api/marketing/campaigns/{pk}/", {"deposit": "0.00"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "status"
    assert Campaign.objects.get(pk=pk).deposit == Decimal("30.00")


def test_invalid_segment_is_a_400_naming_the_rule(org):
    response = api(org.marketing).post("/api/marketing/campaigns/", {**BODY, "segment": {"star": ["9"]}},
                                       format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "segment.star"
    assert not Campaign.objects.exists()


def test_an_illegal_transition_is_a_400_with_a_clear_error(org):
    campaign = walk(make_campaign(org.marketing), (S.SUBMITTED, org.marketing), (S.IN_REVIEW, org.credit_officer),
                    (S.APPROVED, org.credit_officer), (S.RUNNING, org.marketing))
    response = api(org.marketing).post(f"/api/marketing/campaigns/{campaign.pk}/transition/",
                                       {"to_status": "draft"}, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "to_status" and error["code"] == "transition"
    assert error["message"] == "A campaign cannot go from running to draft."


def test_marketing_cannot_approve_and_an_officer_not_their_own(org, second_officer):
    campaign = walk(make_campaign(org.credit_officer), (S.SUBMITTED, org.credit_officer),
                    (S.IN_REVIEW, second_officer))
    url = f"/api/marketing/campaigns/{campaign.pk}/transition/"
    response = api(org.marketing).post(url, {"to_status": "approved"}, format="json")
    assert response.status_code == 403 and "credit officer" in response.json()["detail"]
    response = api(org.credit_officer).post(url, {"to_status": "approved"}, format="json")
    assert response.status_code == 403 and "another credit officer" in response.json()["detail"]
    opinions = [{"control": c, "verdict": "acceptable"} for c in RiskControl.values]
    response = api(second_officer).post(f"/api/marketing/campaigns/{campaign.pk}/opinions/",
                                        {"opinions": opinions}, format="json")
    assert response.status_code == 200 and len(response.json()["opinions"]) == len(RiskControl.values)
    response = api(second_officer).post(url, {"to_status": "approved", "reason": "同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["decisions"][-1] == {**response.json()["decisions"][-1], "action": "approve",
                                                "by": second_officer.username, "reason": "同意"}


def test_risk_assessment_and_segment_count(org):
    CustomerFactory(credit_star=0)
    campaign = make_campaign(org.marketing, segment={"star": ["0"]}, deposit=Decimal("0"), usage_cap=None,
                             in_plan_tariff=Decimal("0.1"), out_of_plan_tariff=Decimal("0.5"))
    data = api(org.credit_officer).get(f"/api/marketing/campaigns/{campaign.pk}/risk-assessment/").json()
    assert data["size"] == 1 and data["stars"] == {"0": 1}
    assert {w["code"] for w in data["warnings"]} == {"no_usage_cap", "low_credit_no_deposit"}  # 5.0×: no warning
    assert data["tariff_ratio"] == "5.00"
    response = api(org.am1).post("/api/marketing/segment-count/", {"segment": {}}, format="json")
    assert response.json() == {"count": 2}  # am1's book
    response = api(org.marketing).post("/api/marketing/segment-count/", {"segment": {"star": "0"}}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "star"


def test_billing_tags_an_acquired_customer_of_a_running_campaign(org):
    campaign = walk(make_campaign(org.marketing, segment={"star": ["5"]}), (S.SUBMITTED, org.marketing),
                    (S.IN_REVIEW, org.credit_officer), (S.APPROVED, org.credit_officer), (S.RUNNING, org.marketing))
    customer = CustomerFactory(credit_star=5)  # in the segment (outside it: tests/marketing/test_results.py)
    url = f"/api/marketing/campaigns/{campaign.pk}/members/"
    response = api(org.billing_service).post(url, {"customer": customer.pk, "how": "acquired"}, format="json")
    assert response.status_code == 201 and response.json()["how"] == "acquired"
    assert CampaignMember.objects.get(campaign=campaign, customer=customer).tagged_by == org.billing_service
    assert api(org.am1).post(url, {"customer": customer.pk, "how": "acquired"}, format="json").status_code == 403
    response = api(org.billing_service).post(url, {"customer": 10**12, "how": "acquired"}, format="json")
    assert response.status_code == 404


def test_errors_are_in_chinese_by_default(org):
    campaign = make_campaign(org.marketing)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=org.marketing)[0].key}")
    response = client.post(f"/api/marketing/campaigns/{campaign.pk}/transition/", {"to_status": "running"},
                           format="json")
    assert response.json()["errors"][0]["message"] == "营销方案不能从 draft 变为 running。"


def test_approval_refusals_name_the_rule_and_the_author_answers_through_the_api(org):
    campaign = walk(make_campaign(org.marketing), (S.SUBMITTED, org.marketing), (S.IN_REVIEW, org.credit_officer))
    base = f"/api/marketing/campaigns/{campaign.pk}"
    officer, author = api(org.credit_officer), api(org.marketing)
    response = officer.post(f"{base}/transition/", {"to_status": "approved"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0] | {"message": ""} == {"field": "opinions", "code": "opinions_missing",
                                                              "message": ""}
    opinions = [{"control": c, "verdict": "must_change" if c == "deposit" else "acceptable", "comment": "至少100元"}
                for c in RiskControl.values]
    assert officer.post(f"{base}/opinions/", {"opinions": opinions}, format="json").status_code == 200
    response = officer.post(f"{base}/transition/", {"to_status": "approved"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "must_change_open"
    assert "Deposit" in response.json()["errors"][0]["message"]
    assert author.post(f"{base}/opinions/", {"opinions": opinions}, format="json").status_code == 403
    walk(campaign, (S.RETURNED, org.credit_officer, "押金不足"))
    must_change = campaign.opinions.get(control="deposit")
    response = author.post(f"{base}/transition/", {"to_status": "submitted"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0] | {"message": ""} == {
        "field": "answers", "code": "answers_missing", "message": ""}
    assert author.patch(f"{base}/", {"deposit": "100.00"}, format="json").status_code == 200
    response = author.post(f"{base}/answers/", {"answers": [{"opinion": 999999, "answer": "x"}]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "unknown"
    response = author.post(f"{base}/answers/", {"answers": [{"opinion": must_change.pk, "answer": "押金改为100元"}]},
                           format="json")
    assert response.status_code == 200
    assert [o["answer"] for o in response.json()["opinions"] if o["id"] == must_change.pk] == ["押金改为100元"]
    assert author.post(f"{base}/transition/", {"to_status": "submitted"}, format="json").status_code == 200
    changes = officer.get(f"{base}/changes/").json()
    assert changes["round"] == 1 and [(c["field"], c["before"], c["after"]) for c in changes["changes"]] == [
        ("deposit", "50.00", "100.00")]
