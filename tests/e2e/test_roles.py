"""A role's main job start to finish from the home page, in a real browser, in Chinese and in English, with a
screenshot of each step kept under artifacts/screenshots/ (CI keeps the directory as an artifact).

- The account manager: the nightly churn scan opened an alert on a customer of their book; from the home page
  they open the customer, record the visit as the alert's next step in place, and see it on the page and at home.
- Collections: from the home page's oldest case to the line's collection case, a promise to pay recorded.
- A credit officer: another officer's out-of-range limit change waits on their home; they approve it.
- Marketing: a new campaign from the home page, saved as a draft, found again at home and submitted."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from arrears.evaluation import evaluate_in_process
from arrears.models import CollectionCase
from arrears.services import record_bill
from core.choices import Role
from credit.models import FourEyesRequest
from credit.services import credit_limit_change, legacy_grade_import
from marketing.models import Campaign
from retention.batches import scan_chunk
from retention.models import RetentionAlert
from tests.conftest import make_staff
from tests.e2e.test_browser import log_in
from tests.factories import LineFactory
from tests.retention.conftest import FALLING_3, HOTLINE_RISING_3, SCAN_DAY, with_history

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LANGUAGES = {"zh-hans": {"contacted": "已联系", "updated": "预警已更新", "saved": "已保存"},
             "en": {"contacted": "Contacted", "updated": "Alert updated.", "saved": "Saved."}}


class Steps:
    """Numbered full-page screenshots of one test run: artifacts/screenshots/<test>/<lang>/<n>-<step>.png."""

    def __init__(self, page: Page, test: str, lang: str):
        self.page, self.dir, self.n = page, ARTIFACTS / test / lang, 0
        self.dir.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str):
        self.n += 1
        self.page.screenshot(path=str(self.dir / f"{self.n:02d}-{name}.png"), full_page=True)


def choose_language(page: Page, lang: str):
    if page.locator("html").get_attribute("lang") != lang:
        page.select_option("select[name=language]", lang)  # submits on change (app.js)
        page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_account_manager_works_an_alert_and_logs_a_visit_from_home(page: Page, live_server, org, lang, csp_errors):
    customer = with_history(org.book[org.am1.pk][0], spend=FALLING_3, hotline=HOTLINE_RISING_3)
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
def test_collections_records_a_promise_to_pay_from_the_oldest_case_on_home(page: Page, live_server, org, lang,
                                                                         csp_errors):
    today = timezone.localdate()
    old, recent = LineFactory(), LineFactory()
    for line, days, amount in ((old, 40, "60.00"), (recent, 5, "300.00")):  # by amount `recent` comes first
        record_bill(line=line, period=(today - timedelta(days=days + 20)).replace(day=1), amount=Decimal(amount),
                    due_date=today - timedelta(days=days))
    evaluate_in_process(today)  # the night's evaluation: ages, states, the queue
    steps = Steps(page, "collections_promise", lang)

    log_in(page, live_server, org.collections)
    choose_language(page, lang)
    oldest = page.locator("#home-queue-age li").first
    expect(oldest).to_contain_text(old.msisdn)
    expect(page.locator("#home-queue-amount li").first).to_contain_text(recent.msisdn)
    steps.shot("home")

    oldest.get_by_role("link", name=old.msisdn).click()
    page.wait_for_url(re.compile(rf"/arrears/collection/{old.pk}/$"))
    page.select_option("select[name=status]", "promised")
    page.fill("input[name=promised_on]", f"{today + timedelta(days=5):%Y-%m-%d}")
    page.fill("input[name=promised_amount]", "60.00")
    page.fill("textarea[name=outcome]", "客户承诺周五缴清 / will pay on Friday")
    steps.shot("promise-entered")
    page.locator("main form[method=post] button").last.click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text(LANGUAGES[lang]["saved"])
    steps.shot("promise-saved")
    case = CollectionCase.objects.get(line=old)
    assert (case.status, case.promised_amount, case.worked_by_id) == ("promised", Decimal("60.00"), org.collections.pk)
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
def test_marketing_drafts_and_submits_a_campaign_from_home(page: Page, live_server, org, lang, csp_errors):
    words = {"zh-hans": "已提交", "en": "Submitted"}[lang]
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
    page.locator("#home-campaigns").get_by_role("link", name="流量畅享 / data plus").click()
    page.wait_for_url(re.compile(rf"/marketing/campaigns/{campaign.pk}/$"))
    page.select_option("#transition-form select[name=to_status]", "submitted")
    page.click("#transition-form button")
    page.wait_for_load_state()
    expect(page.locator("#campaign-status")).to_have_text(words)
    steps.shot("submitted")
    campaign.refresh_from_db()
    assert campaign.status == "submitted" and campaign.review_round == 1
    page.goto(f"{live_server.url}/")
    expect(page.locator("#home-campaigns")).not_to_contain_text("流量畅享")  # no longer theirs to finish
    assert csp_errors == []
