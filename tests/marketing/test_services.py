"""The workflow service, the decision log and history, notifications, tagging, and the computed assessment."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketing import selectors, services
from marketing.choices import CampaignStatus as S
from marketing.choices import RiskControl
from marketing.models import CampaignDecision, CampaignMember, Notification
from tests.factories import CustomerFactory
from tests.marketing.conftest import SAFE, accept_the_rest, in_arrears, make_campaign, walk

pytestmark = pytest.mark.django_db


def in_review(org, author=None, **fields):
    campaign = make_campaign(author or org.marketing, **fields)
    return walk(campaign, (S.SUBMITTED, author or org.marketing), (S.IN_REVIEW, org.credit_officer))


def refusal(callable_, **kwargs):
    with pytest.raises(ValidationError) as e:
        callable_(**kwargs)
    return {field: [err.code for err in errors] for field, errors in e.value.error_dict.items()}, e.value


def test_the_happy_path_records_every_step_with_who_when_and_why(org):
    campaign = in_review(org)
    campaign = walk(campaign, (S.APPROVED, org.credit_officer, "风险可控"), (S.RUNNING, org.marketing),
                    (S.CLOSED, org.marketing, "活动结束"))
    log = list(CampaignDecision.objects.filter(campaign=campaign).values_list("action", "by", "reason"))
    assert log == [("submit", org.marketing.pk, ""), ("start_review", org.credit_officer.pk, ""),
                   ("approve", org.credit_officer.pk, "风险可控"), ("launch", org.marketing.pk, ""),
                   ("close", org.marketing.pk, "活动结束")]
    assert all(d.at is not None for d in campaign.decisions.all())
    approval = campaign.decisions.get(action="approve")
    assert approval.assessment["size"] == 8 and "exposure_total" in approval.assessment
    assert campaign.forecast == approval.assessment
    # django-simple-history: every state with its user and reason
    history = list(campaign.history.order_by("history_date").values_list("status", "history_user_id",
                                                                        "history_change_reason"))
    assert history[0][0] == S.DRAFT
    assert (S.APPROVED, org.credit_officer.pk, "approve: 风险可控") in history
    assert [h[0] for h in history] == [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.APPROVED, S.RUNNING, S.CLOSED]


def test_a_marketing_user_cannot_approve(org):
    campaign = in_review(org, author=org.admin)
    codes, _e = refusal(services.campaign_transition, campaign=campaign, to_status=S.APPROVED, by=org.marketing)
    assert codes == {"to_status": ["role"]}
    campaign.refresh_from_db()
    assert campaign.status == S.IN_REVIEW and not campaign.decisions.filter(action="approve").exists()


def test_a_credit_officer_cannot_approve_their_own_draft(org, second_officer):
    campaign = make_campaign(org.credit_officer)
    campaign = walk(campaign, (S.SUBMITTED, org.credit_officer), (S.IN_REVIEW, second_officer))
    codes, e = refusal(services.campaign_transition, campaign=campaign, to_status=S.APPROVED, by=org.credit_officer)
    assert codes == {"to_status": ["own_campaign"]} and "another credit officer" in str(e)
    # another officer may
    assert walk(campaign, (S.APPROVED, second_officer)).status == S.APPROVED


def test_an_author_cannot_take_their_own_campaign_into_review(org, second_officer):
    campaign = walk(make_campaign(org.credit_officer), (S.SUBMITTED, org.credit_officer))
    codes, _e = refusal(services.campaign_transition, campaign=campaign, to_status=S.IN_REVIEW,
                        by=org.credit_officer)
    assert codes == {"to_status": ["own_campaign"]}


@pytest.mark.parametrize("path, target", [
    ([], S.APPROVED),  # draft → approved: no skipping the review
    ([(S.SUBMITTED, "marketing")], S.RUNNING),
    ([(S.SUBMITTED, "marketing"), (S.IN_REVIEW, "credit_officer"), (S.APPROVED, "credit_officer"),
      (S.RUNNING, "marketing")], S.DRAFT),  # running → draft
    ([(S.SUBMITTED, "marketing"), (S.IN_REVIEW, "credit_officer"), (S.REJECTED, "credit_officer", "不合规")],
     S.SUBMITTED),  # rejected is final
])
def test_illegal_transitions_are_refused_with_a_clear_error(org, path, target):
    campaign = walk(make_campaign(org.marketing), *[(s, getattr(org, u), *r) for s, u, *r in path])
    before = campaign.status
    codes, e = refusal(services.campaign_transition, campaign=campaign, to_status=target, by=org.marketing)
    assert codes == {"to_status": ["transition"]}
    assert f"cannot go from {before} to {target}" in str(e)
    campaign.refresh_from_db()
    assert campaign.status == before


def test_return_needs_a_reason_and_the_author_revises_and_resubmits(org):
    campaign = in_review(org, usage_cap=None)
    codes, _e = refusal(services.campaign_transition, campaign=campaign, to_status=S.RETURNED,
                        by=org.credit_officer)
    assert codes == {"reason": ["reason"]}
    campaign = walk(campaign, (S.RETURNED, org.credit_officer, "请设置流量封顶"))
    campaign = services.campaign_update(campaign=campaign, by=org.marketing, usage_cap=Decimal("150"))
    campaign = walk(campaign, (S.SUBMITTED, org.marketing))
    assert campaign.review_round == 2 and campaign.usage_cap == Decimal("150")
    assert list(campaign.decisions.values_list("action", "review_round")) == [
        ("submit", 1), ("start_review", 1), ("return", 1), ("resubmit", 2)]


def test_only_drafts_and_returned_campaigns_are_edited(org):
    campaign = walk(make_campaign(org.marketing), (S.SUBMITTED, org.marketing))
    codes, _e = refusal(services.campaign_update, campaign=campaign, by=org.marketing, name="x")
    assert codes == {"status": ["status"]}


def test_an_error_level_warning_blocks_approval(org):
    campaign = in_review(org, in_plan_tariff=Decimal("0.10"), out_of_plan_tariff=Decimal("1.01"))
    codes, e = refusal(services.campaign_transition, campaign=campaign, to_status=S.APPROVED,
                       by=org.credit_officer)
    assert codes == {"to_status": ["blocking"]} and "tariff_ratio" in str(e)


def test_the_parties_are_notified(org, second_officer):
    campaign = walk(make_campaign(org.marketing), (S.SUBMITTED, org.marketing))
    assert set(Notification.objects.filter(campaign=campaign).values_list("recipient", flat=True)) == {
        org.credit_officer.pk, second_officer.pk}
    walk(campaign, (S.IN_REVIEW, org.credit_officer), (S.RETURNED, org.credit_officer, "押金不足"))
    to_author = Notification.objects.filter(campaign=campaign, recipient=org.marketing).order_by("id")
    assert to_author.count() == 2 and "押金不足" in to_author.last().message


def test_opinions_per_risk_control_only_by_a_reviewer_who_is_not_the_author(org, second_officer):
    campaign = in_review(org)
    services.opinions_record(campaign=campaign, by=org.credit_officer, opinions={
        "usage_cap": ("acceptable", "200元封顶可行"), "deposit": ("concern", "押金偏低")})
    services.opinions_record(campaign=campaign, by=org.credit_officer,
                             opinions={"deposit": ("must_change", "至少100元")})
    opinions = dict(campaign.opinions.values_list("control", "verdict"))
    assert opinions == {"usage_cap": "acceptable", "deposit": "must_change"}
    assert campaign.opinions.get(control="deposit").history.count() == 2  # the first opinion is kept in history
    codes, _e = refusal(services.opinions_record, campaign=campaign, by=org.marketing,
                        opinions={"deposit": ("acceptable", "")})
    assert codes == {"reviewer": ["reviewer"]}


def test_launch_tags_the_segment_in_one_statement_and_members_are_tagged(org, django_assert_max_num_queries):
    campaign = walk(in_review(org, segment={"region": [org.region_a.pk]}), (S.APPROVED, org.credit_officer))
    campaign = walk(campaign, (S.RUNNING, org.marketing))
    targeted = set(CampaignMember.objects.filter(campaign=campaign).values_list("customer", flat=True))
    assert targeted == {c.pk for c in org.all_customers if c.region_id == org.region_a.pk}
    converted = org.book[org.am1.pk][0]
    services.member_tag(campaign=campaign, customer=converted, how="converted", by=org.billing_service)
    newcomer = CustomerFactory(region=org.region_a)  # in the segment: outside it needs an override
    services.member_tag(campaign=campaign, customer=newcomer, how="acquired", by=org.billing_service)
    hows = dict(CampaignMember.objects.filter(campaign=campaign).values_list("customer", "how"))
    assert hows[converted.pk] == "converted" and hows[newcomer.pk] == "acquired" and len(hows) == 7
    from marketing.services import segment_tag

    # re-tagging adds nothing; the tagging is one INSERT … SELECT (the other query checks the region ids)
    with django_assert_max_num_queries(2) as ctx:
        assert segment_tag(campaign=campaign, by=org.marketing) == 0
    inserts = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1 and "SELECT" in inserts[0]


def test_tagging_needs_a_running_campaign(org):
    campaign = make_campaign(org.marketing)
    codes, _e = refusal(services.member_tag, campaign=campaign, customer=org.all_customers[0], how="converted",
                        by=org.marketing)
    assert codes == {"campaign": ["campaign"]}


def test_exposure_matches_a_hand_computation(org):
    """Province history (all customers): 0★ 4 customers, 2 in arrears owing 30 + 50 → rate 0.5, average 40;
    3★ 5 customers, 1 owing 100 (over two lines: 60 + 40) → rate 0.2, average 100; unrated: org's 8, none."""
    zero = [CustomerFactory(credit_star=0, region=org.region_a) for _ in range(4)]
    three = [CustomerFactory(credit_star=3, region=org.region_b) for _ in range(5)]
    in_arrears(zero[0], "30.00")
    in_arrears(zero[1], "50.00")
    in_arrears(three[0], "60.00")
    in_arrears(three[0], "40.00")
    history, source = selectors.star_history()
    assert source == "accounts"
    assert history[0].arrears_rate == Decimal("0.5") and history[0].average_arrears == Decimal("40")
    assert history[3].arrears_rate == Decimal("0.2") and history[3].average_arrears == Decimal("100")
    # segment: the 0★ customers of region A (4) and the 3★ of region B (5): 4×0.5×40 + 5×0.2×100 = 80 + 100
    campaign = make_campaign(org.marketing, segment={"star": ["0", "3"]})
    a = selectors.risk_assessment(campaign=campaign, user=org.credit_officer)
    assert a["size"] == 9 and a["counts"] == {0: 4, 3: 5}
    assert a["exposure"]["total"] == Decimal("180.00")
    # an account manager sees the count of their book only (none of these), the rates stay the province's
    assert selectors.risk_assessment(campaign=campaign, user=org.am1)["exposure"]["total"] == Decimal("0.00")


def test_history_falls_back_to_overdue_bills_before_any_line_account(org):
    from datetime import date

    from arrears.models import Bill
    from tests.factories import LineFactory

    customer = CustomerFactory(credit_star=2)
    CustomerFactory(credit_star=2)
    line = LineFactory(customer=customer)
    Bill.objects.create(line=line, customer=customer, period=date(2026, 9, 1), amount=Decimal("88"),
                        due_date=date(2026, 10, 15), paid_amount=Decimal("28"))
    history, source = selectors.star_history(today=date(2026, 11, 1))
    assert source == "bills" and history[2].in_arrears == 1 and history[2].average_arrears == Decimal("60")


def test_warnings_on_the_assessment_for_a_low_credit_segment_without_deposit(org):
    for star in (0, 1):
        CustomerFactory(credit_star=star)
    campaign = make_campaign(org.marketing, segment={"star": ["0", "1"]}, deposit=Decimal("0"))
    codes = {w.code for w in selectors.risk_assessment(campaign=campaign, user=org.credit_officer)["warnings"]}
    assert codes == {"low_credit_no_deposit"}
    campaign = make_campaign(org.marketing, segment={"star": ["0", "1"]}, deposit=Decimal("0"), min_star=2)
    assert selectors.risk_assessment(campaign=campaign, user=org.credit_officer)["warnings"] == []


def test_overlap_with_running_campaigns(org):
    running = walk(in_review(org, segment={"region": [org.region_a.pk]}), (S.APPROVED, org.credit_officer),
                   (S.RUNNING, org.marketing))
    other = make_campaign(org.marketing, segment={})
    a = selectors.risk_assessment(campaign=other, user=org.credit_officer)
    assert a["overlap"]["customers"] == 6
    assert a["overlap"]["campaigns"] == [{"id": running.pk, "name": running.name, "customers": 6,
                                          "status": "running"}]
    walk(other, (S.SUBMITTED, org.marketing), (S.IN_REVIEW, org.credit_officer), (S.APPROVED, org.credit_officer),
         (S.RUNNING, org.marketing))
    assert selectors.running_overlap_customers() == 6


def test_the_overlap_count_of_the_campaign_list_is_in_the_readers_scope(client, org):
    from django.urls import reverse

    for _ in range(2):
        walk(in_review(org, segment={"region": [org.region_a.pk]}), (S.APPROVED, org.credit_officer),
             (S.RUNNING, org.marketing))
    assert selectors.running_overlap_customers() == 6
    client.force_login(org.am1)
    assert client.get(reverse("marketing:campaigns")).context["overlap_customers"] == len(org.book[org.am1.pk])
    client.force_login(org.am4)  # region B: none of their customers are targeted
    assert client.get(reverse("marketing:campaigns")).context["overlap_customers"] == 0
    client.force_login(org.marketing)
    assert client.get(reverse("marketing:campaigns")).context["overlap_customers"] == 6


def test_customers_in_two_running_campaigns_outside_the_largest_count_once(org):
    for region in (org.region_a, org.region_b, org.region_b):  # 6, 2 and the same 2 customers
        walk(in_review(org, segment={"region": [region.pk]}), (S.APPROVED, org.credit_officer),
             (S.RUNNING, org.marketing))
    assert selectors.running_overlap_customers() == len(org.book[org.am4.pk])
    assert selectors.running_overlap_customers(user=org.am1) == 0
    assert selectors.running_overlap_customers(user=org.am4) == len(org.book[org.am4.pk])


def test_an_officer_who_edited_the_draft_cannot_approve_it(org, second_officer):
    campaign = make_campaign(org.marketing)
    services.campaign_update(campaign=campaign, by=second_officer, deposit=Decimal("80"))
    campaign = walk(campaign, (S.SUBMITTED, org.marketing), (S.IN_REVIEW, org.credit_officer))
    codes, _e = refusal(services.campaign_transition, campaign=campaign, to_status=S.APPROVED, by=second_officer)
    assert codes == {"to_status": ["own_campaign"]}
    assert walk(campaign, (S.APPROVED, org.credit_officer)).status == S.APPROVED


# ---------------------------------------------------------------- reviews that decide

def test_an_officer_cannot_approve_with_a_must_change_open_then_can_after_the_revision_answers_it(org):
    campaign = in_review(org, deposit=Decimal("20"))
    services.opinions_record(campaign=campaign, by=org.credit_officer, opinions={
        **{c: ("acceptable", "") for c in RiskControl.values}, "deposit": ("must_change", "押金至少100元")})
    codes, e = refusal(services.campaign_transition, campaign=campaign, to_status=S.APPROVED, by=org.credit_officer)
    assert codes == {"opinions": ["must_change_open"]} and "Deposit" in str(e)
    campaign = walk(campaign, (S.RETURNED, org.credit_officer, "押金不足"))
    # the revision must answer it before the campaign goes back
    codes, _e = refusal(services.campaign_transition, campaign=campaign, to_status=S.SUBMITTED, by=org.marketing)
    assert codes == {"answers": ["answers_missing"]}
    opinion = campaign.opinions.get(control="deposit")
    services.campaign_update(campaign=campaign, by=org.marketing, deposit=Decimal("100"),
                             answers={opinion.pk: "押金提高到100元"})
    opinion.refresh_from_db()
    assert (opinion.answer, opinion.answered_by, opinion.answered_at is not None) == (
        "押金提高到100元", org.marketing, True)
    campaign = walk(campaign, (S.SUBMITTED, org.marketing), (S.IN_REVIEW, org.credit_officer))
    assert campaign.review_round == 2
    # a new round needs its own opinions: none yet
    codes, e = refusal(services.campaign_transition, campaign=campaign, to_status=S.APPROVED, by=org.credit_officer)
    assert codes == {"opinions": ["opinions_missing"]} and "round 2" in str(e)
    services.opinions_record(campaign=campaign, by=org.credit_officer,
                             opinions={c: ("acceptable", "") for c in RiskControl.values if c != "tariff"})
    codes, e = refusal(services.campaign_transition, campaign=campaign, to_status=S.APPROVED, by=org.credit_officer)
    assert codes == {"opinions": ["opinions_missing"]} and "Price policy" in str(e)
    services.opinions_record(campaign=campaign, by=org.credit_officer, opinions={"tariff": ("concern", "可接受")})
    campaign = services.campaign_transition(campaign=campaign, to_status=S.APPROVED, by=org.credit_officer)
    assert campaign.status == S.APPROVED


def test_the_officer_sees_what_changed_between_rounds(org):
    campaign = in_review(org, deposit=Decimal("20"), usage_cap=None)
    services.opinions_record(campaign=campaign, by=org.credit_officer, opinions={
        "usage_cap": ("must_change", "须设流量封顶")})
    assert selectors.round_changes(campaign=campaign) is None  # round 1: nothing reviewed before it
    campaign = walk(campaign, (S.RETURNED, org.credit_officer, "请设封顶"))
    services.campaign_update(campaign=campaign, by=org.marketing, usage_cap=Decimal("150"), name="流量畅享2",
                             answers={campaign.opinions.get().pk: "封顶150元"})
    services.campaign_update(campaign=campaign, by=org.marketing, goal=SAFE["goal"])  # saved again, same goal
    campaign = walk(campaign, (S.SUBMITTED, org.marketing), (S.IN_REVIEW, org.credit_officer))
    changes = selectors.round_changes(campaign=campaign)
    assert changes["round"] == 1
    assert [(c["field"], c["before"], c["after"]) for c in changes["changes"]] == [
        ("name", "流量畅享", "流量畅享2"), ("usage_cap", "—", "150.00")]


def test_answers_are_the_authors_and_only_while_returned(org, second_officer):
    campaign = in_review(org)
    services.opinions_record(campaign=campaign, by=org.credit_officer,
                             opinions={"deposit": ("must_change", "x"), "usage_cap": ("concern", "y")})
    must, concern = campaign.opinions.get(control="deposit"), campaign.opinions.get(control="usage_cap")
    codes, _e = refusal(services.opinions_answer, campaign=campaign, by=org.marketing, answers={must.pk: "a"})
    assert codes == {"answers": ["status"]}  # in review: nothing to answer yet
    walk(campaign, (S.RETURNED, org.credit_officer, "改"))
    codes, _e = refusal(services.opinions_answer, campaign=campaign, by=org.am1, answers={must.pk: "a"})
    assert codes == {"answers": ["role"]}
    codes, _e = refusal(services.opinions_answer, campaign=campaign, by=org.marketing, answers={concern.pk: "a"})
    assert codes == {"answers": ["unknown"]}  # only "must change" opinions are answered
    # an officer who answers took part in the revision: four eyes, they cannot approve it
    services.opinions_answer(campaign=campaign, by=second_officer, answers={must.pk: "已改"})
    campaign = walk(campaign, (S.SUBMITTED, org.marketing))
    campaign = walk(campaign, (S.IN_REVIEW, org.credit_officer))
    accept_the_rest(campaign, org.credit_officer)
    codes, _e = refusal(services.campaign_transition, campaign=campaign, to_status=S.APPROVED, by=second_officer)
    assert codes == {"to_status": ["own_campaign"]}


def test_overlap_counts_approved_campaigns_not_yet_launched_and_open_retention_offers(org):
    from datetime import timedelta

    from django.utils import timezone

    from retention.models import RetentionAlert

    approved = walk(in_review(org, segment={"region": [org.region_a.pk]}), (S.APPROVED, org.credit_officer))
    assert approved.members.count() == 0  # not launched: nobody is tagged yet
    region_b = org.book[org.am4.pk]
    now = timezone.now()
    RetentionAlert.objects.create(customer=region_b[0], opened_at=now, score=60, status="offer_made",
                                  offer="topup_bonus")
    # retained with its top-up bonus accepted: the bonus pays out for 6 months (policies.OFFER_MONTHS), so the
    # customer still holds a running retention offer although the alert is closed (a campaign on top of it is
    # over-marketing just the same)
    RetentionAlert.objects.create(customer=region_b[1], opened_at=now, score=60, status="retained",
                                  offer="topup_bonus", closed_at=now, verification="pending")
    # retained 7 months ago with a 6-month top-up bonus: paid out, no longer running; a retention that reverted
    # (the customer left) runs no offer either
    paid_out, reverted = (CustomerFactory(account_manager=org.am4, region=org.region_b) for _ in range(2))
    RetentionAlert.objects.create(customer=paid_out, opened_at=now, score=60, status="retained",
                                  offer="topup_bonus", closed_at=now - timedelta(days=214))
    RetentionAlert.objects.create(customer=reverted, opened_at=now, score=60, status="churned",
                                  offer="deposit_and_get", closed_at=now, verification="reverted")
    RetentionAlert.objects.create(customer=org.book[org.am1.pk][0], opened_at=now, score=60, status="offer_made",
                                  offer="plan_upgrade")  # also in the approved campaign's segment
    other = make_campaign(org.marketing, segment={})
    a = selectors.risk_assessment(campaign=other, user=org.credit_officer)
    assert a["overlap"]["campaigns"] == [{"id": approved.pk, "name": approved.name, "customers": 6,
                                          "status": "approved"}]
    assert a["overlap"]["retention_offers"] == 3
    assert a["overlap"]["customers"] == 8  # region A's six, and region B's two customers with an offer: once each
    # in the reader's scope: am4 sees their own customers' offers, not region A's campaign
    a = selectors.risk_assessment(campaign=other, user=org.am4)
    assert (a["overlap"]["customers"], a["overlap"]["campaigns"], a["overlap"]["retention_offers"]) == (2, [], 2)
