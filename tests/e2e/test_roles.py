"""A role's main job start to finish from the home page, in a real browser, in Chinese and in English, with a
full-page screenshot of each step kept as artifacts/screenshots/<test>-<lang>-<nn>-<step>.png (the directory CI
keeps as an artifact; git ignores it).

- The account manager: the nightly churn scan opened an alert on a customer of their book; from the home page
  they open the customer, record the visit as the alert's next step in place, and see it on the page and at home.
- Collections: from the home page to the queue, filtered by age (an aging bucket); a promise to pay recorded on
  a case of the filtered list, seen in the queue and on the customer's 360 page.
- A credit officer: another officer's out-of-range limit change waits on their home; they approve it. And a
  campaign another user submitted waits on their home; they take it into review, give an opinion on every risk
  control and approve it.
- Marketing: a new campaign from the home page, saved as a draft, found again at home and submitted.

Inputs come through the product's doors (billing intake, the nightly jobs, the credit and marketing services);
nothing derived is written by the tests."""

import re
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from arrears.evaluation import evaluate_in_process
from arrears.models import CollectionCase
from arrears.services import bill_record
from core.choices import Role
from credit.models import FourEyesRequest
from credit.services import credit_limit_change, legacy_grade_import
from customers.intake import usage_summary_record
from customers.policies import months_ago
from customers.tasks import refresh_spend_nightly
from marketing import services as marketing_services
from marketing.choices import RiskControl
from marketing.models import Campaign
from retention.batches import scan_chunk
from retention.models import RetentionAlert
from tests.conftest import make_staff
from tests.e2e.test_browser import log_in
from tests.factories import LineFactory
from tests.retention.conftest import FALLING_3, HOTLINE_RISING_3, SCAN_DAY

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LANGUAGES = {
    "zh-hans": {"contacted": "已联系", "updated": "预警已更新", "saved": "已保存", "see_all": "查看全部",
                "age": "欠费天数", "promised": "承诺缴费", "submitted": "已提交", "in_review": "信用审核中",
                "approved": "已批准", "review_tab": "信用审核", "draft": "草稿"},
    "en": {"contacted": "Contacted", "updated": "Alert updated.", "saved": "Saved.", "see_all": "See all",
           "age": "Days in arrears", "promised": "Promise to pay", "submitted": "Submitted",
           "in_review": "In credit review", "approved": "Approved", "review_tab": "Credit review", "draft": "Draft"},
}


class Steps:
    """Numbered full-page screenshots of one test run: artifacts/screenshots/<test>-<lang>-<nn>-<step>.png.
    A run first removes the previous run's shots of the same test and language (no stale steps left)."""

    def __init__(self, page: Page, test: str, lang: str):
        self.page, self.prefix, self.n = page, f"{test}-{lang}", 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob(f"{self.prefix}-[0-9][0-9]-*.png"):
            old.unlink()

    def shot(self, name: str):
        self.n += 1
        path = ARTIFACTS / f"{self.prefix}-{self.n:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0


def usage_through_intake(customer, *, spend: list, hotline: list):
    """A line with twelve months of usage (Nov 2025 … Oct 2026) as billing pushes it, then that night's spend
    refresh: the shape tests/retention's with_history builds, through the product's intake and batch."""
    line = LineFactory(customer=customer)
    for i, (bill, calls) in enumerate(zip(spend, hotline, strict=True)):
        usage_summary_record(line=line, month=months_ago(SCAN_DAY.replace(day=1), 12 - i), today=SCAN_DAY, figures={
            "voice_minutes": 200, "data_mb": 5000, "sms_count": 20, "competitor_hotline_calls": calls,
            "plan_saturation": Decimal("50"), "broadband_bundled": False, "bill_amount": Decimal(bill),
            "prepaid_balance": Decimal("0")})
    refresh_spend_nightly(SCAN_DAY.isoformat())
    customer.refresh_from_db()
    assert customer.avg_monthly_spend == sum(Decimal(x) for x in spend[-6:]) / 6  # the night's refresh ran


def choose_language(page: Page, lang: str):
    if page.locator("html").get_attribute("lang") != lang:
        page.select_option("select[name=language]", lang)  # submits on change (app.js)
        page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_chromium_has_a_cjk_font_for_the_chinese_screenshots():
    """Without one the zh-hans screenshots show boxes where the text is (test.sh installs fonts-wqy-microhei)."""
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    assert fonts.strip(), "no font covering Chinese: apt-get install fonts-wqy-microhei"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_account_manager_works_an_alert_and_logs_a_visit_from_home(page: Page, live_server, org, lang, csp_errors):
    customer = org.book[org.am1.pk][0]
    usage_through_intake(customer, spend=FALLING_3, hotline=HOTLINE_RISING_3)
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)  # the nightly scan opens the alert
    alert = RetentionAlert.objects.get(customer=customer)
    words = LANGUAGES[lang]
    steps = Steps(page, "account_manager_alert", lang)

    log_in(page, live_server, org.am1)
    choose_language(page, lang)
    alerts = page.locator("#home-alerts")
    expect(alerts).to_contain_text(customer.name)
    steps.shot("home")

    alerts.get_by_role("link", name=customer.name).click()
    page.wait_for_url(re.compile(rf"/customers/{customer.pk}/"))
    expect(page.locator("#churn")).to_contain_text(str(alert.score))
    expect(page.locator("#account")).to_be_visible()
    steps.shot("customer-360")

    form = page.locator("#alert-step-form")
    form.locator("select[name=to_status]").select_option("contacted")
    form.locator("textarea[name=note]").fill("上门拜访：客户考虑续约 / visited, renewal considered")
    steps.shot("visit-entered")
    form.locator("button").click()
    page.wait_for_url(re.compile(rf"/customers/{customer.pk}/#churn$"))
    expect(page.locator("body")).to_contain_text(words["updated"])
    expect(page.locator(f"#alert-{alert.pk}")).to_contain_text("visited, renewal considered")
    expect(page.locator(f"#alert-{alert.pk}")).to_contain_text(words["contacted"])
    steps.shot("visit-logged")

    page.goto(f"{live_server.url}/")
    expect(page.locator("#home-alerts")).to_contain_text(words["contacted"])  # still to work: offer or outcome
    steps.shot("home-after")
    alert.refresh_from_db()
    assert alert.status == "contacted" and alert.events.last().by_id == org.am1.pk
    assert csp_errors == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_collections_records_a_promise_to_pay_from_the_queue_filtered_by_age(page: Page, live_server, org, lang,
                                                                            csp_errors):
    today = timezone.localdate()
    lines = {}  # days past due -> line; bills through the billing intake, the queue from the night's evaluation
    for days, amount in ((40, "60.00"), (55, "120.00"), (5, "300.00"), (100, "80.00")):
        lines[days] = LineFactory()
        bill_record(line=lines[days], period=(today - timedelta(days=days + 20)).replace(day=1),
                    amount=Decimal(amount), due_date=today - timedelta(days=days))
    evaluate_in_process(today)
    in_bucket = [lines[55], lines[40]]  # 31-60 days, most owed first
    outside = [lines[5], lines[100]]
    steps = Steps(page, "collections_promise", lang)

    log_in(page, live_server, org.collections)
    choose_language(page, lang)
    expect(page.locator("#home-queue-age li").first).to_contain_text(lines[100].msisdn)  # the oldest first
    steps.shot("home")
    page.locator("#home-queue-age").get_by_role("link", name=LANGUAGES[lang]["see_all"]).click()
    page.wait_for_url(re.compile(r"/arrears/collection/"))
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(4)
    steps.shot("queue")

    filters = page.locator("#queue-filters")
    expect(filters.locator("label[for=id_bucket]")).to_have_text(LANGUAGES[lang]["age"])
    filters.get_by_label(LANGUAGES[lang]["age"], exact=True).select_option("31-60")
    steps.shot("age-chosen")
    filters.locator("button.btn-primary").click()
    page.wait_for_url(re.compile(r"bucket=31-60"))
    expect(rows).to_have_count(len(in_bucket))
    for row, line in zip(rows.all(), in_bucket, strict=True):
        expect(row).to_contain_text(line.msisdn)
        expect(row.locator("td").nth(6)).to_contain_text("(31-60)")  # days in arrears (bucket)
    for line in outside:
        expect(page.locator("#queue")).not_to_contain_text(line.msisdn)
    steps.shot("queue-filtered")

    target = lines[40]
    rows.get_by_role("link", name=target.msisdn).click()
    page.wait_for_url(re.compile(rf"/arrears/collection/{target.pk}/\?.*bucket=31-60"))
    expect(page.locator("#queue-previous")).to_be_visible()  # walks the filtered queue: 55 days comes before
    expect(page.locator("#queue-next")).to_have_count(0)
    promised_on = today + timedelta(days=5)
    page.select_option("select[name=status]", "promised")
    page.fill("input[name=promised_on]", f"{promised_on:%Y-%m-%d}")
    page.fill("input[name=promised_amount]", "60.00")
    page.fill("textarea[name=outcome]", "客户承诺周五缴清 / will pay on Friday")
    steps.shot("promise-entered")
    page.locator("main form[method=post] button").last.click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text(LANGUAGES[lang]["saved"])
    expect(page.locator("input[name=promised_amount]")).to_have_value("60.00")
    steps.shot("promise-saved")

    page.click("#back-to-queue")  # the filter comes along
    page.wait_for_url(re.compile(r"bucket=31-60"))
    expect(rows).to_have_count(len(in_bucket))
    promised_row = rows.filter(has_text=target.msisdn)
    expect(promised_row).to_contain_text(LANGUAGES[lang]["promised"])
    expect(promised_row).to_contain_text(f"{promised_on:%Y-%m-%d}")
    steps.shot("queue-after")

    page.goto(f"{live_server.url}/arrears/collection/{target.pk}/")
    page.locator("h1").get_by_role("link", name=target.customer.name).click()
    page.wait_for_url(re.compile(rf"/customers/{target.customer_id}/"))
    account = page.locator(f"#account-{target.pk}")
    expect(account).to_contain_text(LANGUAGES[lang]["promised"])
    expect(account).to_contain_text(f"{promised_on:%Y-%m-%d}")
    expect(account).to_contain_text("60.00")
    steps.shot("customer-360")
    case = CollectionCase.objects.get(line=target)
    assert (case.status, case.promised_on, case.promised_amount, case.worked_by_id) == (
        "promised", promised_on, Decimal("60.00"), org.collections.pk)
    assert not CollectionCase.objects.filter(line__in=[*outside, lines[55]], status="promised").exists()
    assert csp_errors == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_credit_officer_approves_another_officers_limit_change_from_home(page: Page, live_server, org, lang,
                                                                       csp_errors):
    customer = org.book[org.am1.pk][0]
    legacy_grade_import(customer=customer, grade="A")  # a star from the legacy import: the limit's range
    customer.refresh_from_db()
    request = credit_limit_change(customer=customer, amount=Decimal("999.00"), reason="大客户",
                                  by=org.credit_officer)
    assert isinstance(request, FourEyesRequest)  # outside the star's range: waits for a second officer
    second = make_staff(Role.CREDIT_OFFICER)
    steps = Steps(page, "credit_officer_four_eyes", lang)

    log_in(page, live_server, second)
    choose_language(page, lang)
    waiting = page.locator("#home-four-eyes")
    expect(waiting).to_contain_text(f"#{request.pk}")
    steps.shot("home")
    waiting.get_by_role("link", name=re.compile(rf"#{request.pk}")).click()
    page.wait_for_url(re.compile(r"/credit/four-eyes/"))
    row = page.locator(f"form[action$='/four-eyes/{request.pk}/approve/']")
    row.locator("input[name=reason]").fill("核实无误 / checked")
    steps.shot("four-eyes-list")
    row.locator("button.btn-success").click()
    page.wait_for_load_state()
    steps.shot("approved")
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by_id == second.pk
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("#credit")).to_contain_text("999.00")
    steps.shot("customer-360")
    assert csp_errors == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_credit_officer_reviews_and_approves_a_submitted_campaign_from_home(page: Page, live_server, org, lang,
                                                                           csp_errors):
    words = LANGUAGES[lang]
    campaign = marketing_services.campaign_create(  # drafted and submitted by marketing through its services
        author=org.marketing, name="流量畅享 / data plus", goal="存量客户流量包 / data packs for the base",
        segment={"region": [org.region_a.pk]}, in_plan_tariff=Decimal("0.10"), out_of_plan_tariff=Decimal("0.30"),
        usage_cap=Decimal("300"), deposit=Decimal("50"), incentive_basis="quality")
    marketing_services.campaign_transition(campaign=campaign, to_status="submitted", by=org.marketing)
    steps = Steps(page, "credit_officer_campaign", lang)

    log_in(page, live_server, org.credit_officer)
    choose_language(page, lang)
    reviews = page.locator("#home-reviews")
    expect(reviews).to_contain_text(campaign.name)
    expect(reviews).to_contain_text(words["submitted"])
    steps.shot("home")
    reviews.get_by_role("link", name=campaign.name).click()
    page.wait_for_url(re.compile(rf"/marketing/campaigns/{campaign.pk}/$"))
    status = page.locator("#campaign-status")
    expect(status).to_have_text(words["submitted"])
    steps.shot("campaign")

    page.select_option("#transition-form select[name=to_status]", "in_review")
    page.click("#transition-form button")
    page.wait_for_load_state()
    expect(status).to_have_text(words["in_review"])
    steps.shot("in-review")

    page.get_by_role("link", name=words["review_tab"], exact=True).click()
    page.wait_for_url(re.compile(rf"/marketing/campaigns/{campaign.pk}/review/$"))
    expect(page.locator("#approval-needs")).to_be_visible()  # no opinion yet: approval not possible
    for control in RiskControl.values:  # an opinion on every risk control
        page.select_option(f"select[name=verdict_{control}]", "acceptable")
    page.select_option("select[name=verdict_usage_cap]", "concern")
    page.fill("input[name=comment_usage_cap]", "封顶偏高，上线后关注 / cap is high, watch after launch")
    steps.shot("opinions-entered")
    page.click("#opinion-form button")
    page.wait_for_load_state()
    expect(page.locator("#approval-needs")).to_have_count(0)
    steps.shot("opinions-saved")

    page.select_option("#transition-form select[name=to_status]", "approved")
    page.fill("#transition-form textarea[name=reason]", "风险可控，同意上线 / risk contained, approved")
    steps.shot("approval-entered")
    page.click("#transition-form button")
    page.wait_for_url(re.compile(rf"/marketing/campaigns/{campaign.pk}/$"))
    expect(status).to_have_text(words["approved"])
    expect(page.locator("#decision-log")).to_contain_text("risk contained, approved")
    steps.shot("approved")

    page.goto(f"{live_server.url}/")
    expect(page.locator("#home-reviews")).not_to_contain_text(campaign.name)  # nothing left to review
    steps.shot("home-after")
    campaign.refresh_from_db()
    assert campaign.status == "approved"
    assert campaign.decisions.get(action="approve").by_id == org.credit_officer.pk
    assert set(campaign.opinions.filter(review_round=campaign.review_round).values_list("control", flat=True)) == \
        set(RiskControl.values)
    assert csp_errors == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_marketing_drafts_and_submits_a_campaign_from_home(page: Page, live_server, org, lang, csp_errors):
    words = LANGUAGES[lang]
    steps = Steps(page, "marketing_campaign", lang)

    log_in(page, live_server, org.marketing)
    choose_language(page, lang)
    expect(page.locator("#home-campaigns")).to_be_visible()
    steps.shot("home")
    page.click("#new-campaign")
    page.wait_for_url(re.compile(r"/marketing/campaigns/new/$"))
    page.fill("#campaign-form [name=name]", "流量畅享 / data plus")
    page.fill("#campaign-form [name=goal]", "提升存量客户流量套餐渗透 / more data plans in the base")
    steps.shot("draft-entered")
    page.click("#campaign-form > button.btn-primary")
    page.wait_for_url(re.compile(r"/marketing/campaigns/\d+/$"))
    campaign = Campaign.objects.get(author=org.marketing)
    steps.shot("draft-saved")

    page.goto(f"{live_server.url}/")
    expect(page.locator("#home-campaigns")).to_contain_text(words["draft"])
    steps.shot("home-draft")
    page.locator("#home-campaigns").get_by_role("link", name="流量畅享 / data plus").click()
    page.wait_for_url(re.compile(rf"/marketing/campaigns/{campaign.pk}/$"))
    page.select_option("#transition-form select[name=to_status]", "submitted")
    page.click("#transition-form button")
    page.wait_for_load_state()
    expect(page.locator("#campaign-status")).to_have_text(words["submitted"])
    steps.shot("submitted")
    campaign.refresh_from_db()
    assert campaign.status == "submitted" and campaign.review_round == 1
    page.goto(f"{live_server.url}/")
    expect(page.locator("#home-campaigns")).not_to_contain_text("流量畅享")  # no longer theirs to finish
    steps.shot("home-after")
    assert csp_errors == []
