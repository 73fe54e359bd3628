"""A review that decides, in a real browser: a credit officer cannot approve while a "must change" opinion is
open; the author revises and answers it; in the new round the officer sees the change and the answer, gives
an opinion on every risk control and approves. Each person in their own browser session."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from marketing import services
from marketing.choices import RiskControl
from marketing.models import Campaign
from tests.e2e.test_browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def give_opinions(page: Page, verdicts: dict):
    for control in RiskControl.values:
        page.select_option(f"select[name=verdict_{control}]", verdicts.get(control, ("acceptable", ""))[0])
        page.fill(f"input[name=comment_{control}]", verdicts.get(control, ("", ""))[1])
    page.click("#opinion-form button")
    page.wait_for_load_state()


def move(page: Page, to_status: str, reason: str = ""):
    page.select_option("#transition-form select[name=to_status]", to_status)
    page.fill("#transition-form textarea[name=reason]", reason)
    page.click("#transition-form button")
    page.wait_for_load_state()


def test_an_officer_cannot_approve_with_a_must_change_open_then_can_after_the_revision(
        page: Page, browser, live_server, org, csp_errors):
    campaign = services.campaign_create(
        author=org.marketing, name="流量畅享", goal="存量客户流量包", segment={"region": [org.region_a.pk]},
        in_plan_tariff=Decimal("0.10"), out_of_plan_tariff=Decimal("0.30"), usage_cap=Decimal("300"),
        deposit=Decimal("50"), incentive_basis="quality")
    services.campaign_transition(campaign=campaign, to_status="submitted", by=org.marketing)
    services.campaign_transition(campaign=campaign, to_status="in_review", by=org.credit_officer)
    review = f"{live_server.url}/marketing/campaigns/{campaign.pk}/review/"

    # round 1: the officer says the usage cap must change, and cannot approve
    log_in(page, live_server, org.credit_officer)
    page.goto(review)
    give_opinions(page, {"usage_cap": ("must_change", "封顶须降到100元")})
    expect(page.locator("#approval-needs")).to_be_visible()
    move(page, "approved")
    expect(page.locator("#transition-form .alert-danger")).to_contain_text("必须修改")
    assert Campaign.objects.get(pk=campaign.pk).status == "in_review"
    move(page, "returned", "请降低流量封顶")
    expect(page.locator("#campaign-status")).to_have_text("退回修改")

    # the author, in their own session, revises and answers the opinion, then resubmits
    author = browser.new_page()
    log_in(author, live_server, org.marketing)
    author.goto(f"{live_server.url}/marketing/campaigns/{campaign.pk}/edit/")
    expect(author.locator("#answers")).to_contain_text("封顶须降到100元")
    author.fill("input[name=usage_cap]", "100.00")
    author.fill("#answers textarea", "封顶已降到100元")
    author.click("#campaign-form > button.btn-primary")
    author.wait_for_url(re.compile(rf"/marketing/campaigns/{campaign.pk}/$"))
    move(author, "submitted")
    expect(author.locator("#campaign-status")).to_have_text("已提交")
    author.close()

    # round 2: the officer sees what changed and the answer, gives every opinion and approves
    page.goto(f"{live_server.url}/marketing/campaigns/{campaign.pk}/")
    move(page, "in_review")
    page.goto(review)
    expect(page.locator("#round-changes [data-field=usage_cap]")).to_contain_text("100.00")
    expect(page.locator("#round-changes #answers")).to_contain_text("封顶已降到100元")
    give_opinions(page, {})
    move(page, "approved", "封顶已降，同意")
    page.wait_for_url(re.compile(rf"/marketing/campaigns/{campaign.pk}/$"))
    expect(page.locator("#campaign-status")).to_have_text("已批准")
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.status == "approved" and campaign.review_round == 2
    assert campaign.decisions.get(action="approve").by == org.credit_officer
    assert campaign.opinions.get(review_round=1, control="usage_cap").answer == "封顶已降到100元"
    assert csp_errors == []
