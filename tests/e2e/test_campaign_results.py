"""A campaign launched today shows no arrears and no revenue until its members have a billing period after
tagging (issue 16: "a campaign minutes old already shows 欠费/预测 2.09×"), read in a real browser."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from arrears.services import bill_record
from marketing.choices import CampaignStatus as S
from tests.e2e.test_browser import log_in
from tests.factories import LineFactory
from tests.marketing.conftest import in_arrears, make_campaign, walk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_a_campaign_launched_today_shows_no_arrears_and_no_revenue(page: Page, live_server, org, csp_errors):
    campaign = walk(make_campaign(org.marketing, segment={"region": [org.region_a.pk]}),
                    (S.SUBMITTED, org.marketing), (S.IN_REVIEW, org.credit_officer), (S.APPROVED, org.credit_officer),
                    (S.RUNNING, org.marketing))
    today = timezone.localdate()
    customer = org.book[org.am1.pk][0]
    line = LineFactory(customer=customer)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    bill_record(line=line, period=last_month, amount=Decimal("88.00"), due_date=last_month + timedelta(days=10))
    in_arrears(customer, "120.00")  # owed before the campaign
    log_in(page, live_server, org.marketing)
    page.goto(f"{live_server.url}/marketing/campaigns/{campaign.pk}/members/")
    page.fill("input[name=msisdn]", line.msisdn)
    page.select_option("select[name=how]", "converted")
    page.click("#tag-form button")
    page.wait_for_load_state()
    expect(page.locator("#members")).to_contain_text(customer.name)

    page.goto(f"{live_server.url}/marketing/campaigns/{campaign.pk}/results/")
    expect(page.locator("#not-measured")).to_be_visible()
    expect(page.locator("#billed-periods")).to_have_text("0")
    expect(page.locator("#revenue-after")).to_have_text("¥0.00")
    expect(page.locator("#arrears-after")).to_contain_text("/ ¥0.00")
    expect(page.locator("#arrears-vs-forecast")).to_have_text("—")
    expect(page.locator("#revenue-vs-forecast")).to_have_text("¥0.00 / ¥0.00")
    assert not csp_errors
