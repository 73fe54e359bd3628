"""Staff in a real browser: log in per role, find a customer and open the 360° page, switch language."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import LineFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "pw-for-tests"  # tests/factories.py UserFactory


def log_in(page: Page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form[method=post] button")
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.parametrize("role", ["am1", "lead_a1", "regional_a", "credit_officer", "marketing", "collections",
                                  "admin"])
def test_each_role_logs_in_and_sees_its_navigation(page: Page, live_server, org, role, csp_errors):
    user = getattr(org, role)
    log_in(page, live_server, user)
    expect(page.locator("nav")).to_contain_text(user.staff_profile.display_name)
    expect(page.locator("nav")).to_contain_text("客户")  # Chinese by default
    assert csp_errors == []


def test_account_manager_finds_a_customer_and_opens_the_360_page(page: Page, live_server, org, csp_errors):
    customer = org.book[org.am1.pk][0]
    LineFactory(customer=customer)
    log_in(page, live_server, org.am1)
    page.goto(f"{live_server.url}/customers/")
    page.fill("input[name=q]", customer.name)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.locator("h1")).to_contain_text(customer.name)
    expect(page.locator("body")).to_contain_text("4301**********")  # ID number masked until revealed
    assert csp_errors == []


def test_another_managers_customer_is_not_found(page: Page, live_server, org):
    theirs = org.book[org.am4.pk][0]
    log_in(page, live_server, org.am1)
    response = page.goto(f"{live_server.url}/customers/{theirs.pk}/")
    assert response.status == 404


def test_the_language_switch_renders_english_and_back(page: Page, live_server, org, csp_errors):
    log_in(page, live_server, org.credit_officer)
    expect(page.locator("nav")).to_contain_text("客户")
    page.select_option("select[name=language]", "en")  # submits on change (app.js, no inline handler)
    page.wait_for_load_state()
    expect(page.locator("nav")).to_contain_text("Customers")
    page.select_option("select[name=language]", "zh-hans")
    page.wait_for_load_state()
    expect(page.locator("nav")).to_contain_text("客户")
    assert csp_errors == []


def test_collections_works_a_queue_item(page: Page, live_server, org, csp_errors):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from arrears.models import CollectionCase, LineAccount

    line = LineFactory(status="one_way_barred")
    today = timezone.localdate()
    LineAccount.objects.create(line=line, customer=line.customer, balance=Decimal("-88.00"), state="one_way_barred",
                               state_since=today, arrears_since=today - timedelta(days=45))
    log_in(page, live_server, org.collections)
    page.goto(f"{live_server.url}/arrears/collection/")
    expect(page.locator("table.table-hover tbody tr")).to_have_count(1)
    expect(page.locator("table.table-hover tbody")).to_contain_text("88.00")
    page.click(f"text={line.msisdn}")
    page.select_option("select[name=status]", "promised")
    page.fill("input[name=promised_on]", (timezone.localdate() + timedelta(days=3)).isoformat())
    page.fill("input[name=promised_amount]", "88.00")
    page.click("main form[method=post] button")
    expect(page.locator(".alert")).to_contain_text("已保存")
    case = CollectionCase.objects.get(line=line)
    assert case.status == "promised" and case.promised_amount == Decimal("88.00") and case.worked_by == org.collections
    assert csp_errors == []


def test_credit_officer_reviews_and_approves_a_campaign(page: Page, live_server, org, csp_errors):
    from decimal import Decimal

    from marketing import services
    from marketing.choices import RiskControl
    from marketing.models import Campaign

    campaign = services.campaign_create(
        author=org.marketing, name="流量畅享", goal="存量客户流量包", segment={"region": [org.region_a.pk]},
        in_plan_tariff=Decimal("0.10"), out_of_plan_tariff=Decimal("0.60"), usage_cap=Decimal("200"),
        deposit=Decimal("50"), incentive_basis="quality")
    services.campaign_transition(campaign=campaign, to_status="submitted", by=org.marketing)
    services.campaign_transition(campaign=campaign, to_status="in_review", by=org.credit_officer)
    log_in(page, live_server, org.credit_officer)
    page.goto(f"{live_server.url}/marketing/campaigns/{campaign.pk}/review/")
    expect(page.locator("#warnings [data-code=tariff_ratio]")).to_have_attribute("data-level", "warning")  # 6×
    expect(page.locator("#exposure")).to_contain_text("6")  # region A: six customers
    for control in RiskControl.values:  # an approval needs an opinion on every risk control
        page.select_option(f"select[name=verdict_{control}]", "acceptable")
    page.select_option("select[name=verdict_tariff]", "concern")
    page.fill("input[name=comment_tariff]", "套餐外资费为套餐内6倍，建议下调")
    page.click("#opinion-form button")
    page.wait_for_load_state()
    page.select_option("#transition-form select[name=to_status]", "approved")
    page.fill("#transition-form textarea[name=reason]", "风险可控，同意上线")
    page.click("#transition-form button")
    page.wait_for_url(re.compile(rf"/marketing/campaigns/{campaign.pk}/$"))
    expect(page.locator("#decision-log")).to_contain_text("风险可控，同意上线")
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.status == "approved"
    approval = campaign.decisions.get(action="approve")
    assert approval.by == org.credit_officer and approval.assessment["size"] == 6
    assert campaign.opinions.get(control="tariff").comment == "套餐外资费为套餐内6倍，建议下调"
    assert csp_errors == []


def test_marketing_sees_the_live_segment_count_while_drafting(page: Page, live_server, org, csp_errors):
    log_in(page, live_server, org.marketing)
    page.goto(f"{live_server.url}/marketing/campaigns/new/")
    page.select_option("select[name=region]", [str(org.region_b.pk)])
    expect(page.locator("#segment-count")).to_have_text("2")  # am4's two customers in region B
    page.select_option("select[name=region]", [str(org.region_a.pk), str(org.region_b.pk)])
    expect(page.locator("#segment-count")).to_have_text("8")
    assert csp_errors == []
