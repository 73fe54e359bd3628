"""A role's main job start to finish from the home page, in a real browser, in Chinese and in English, with a
screenshot of each step kept under artifacts/screenshots/ (CI keeps the directory as an artifact).

The account manager: the nightly churn scan opened an alert on a customer of their book; from the home page they
open the customer, record the visit as the alert's next step in place, and see it on the page and at home."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from retention.batches import scan_chunk
from retention.models import RetentionAlert
from tests.e2e.test_browser import log_in
from tests.retention.conftest import FALLING_3, HOTLINE_RISING_3, SCAN_DAY, with_history

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LANGUAGES = {"zh-hans": {"contacted": "已联系", "updated": "预警已更新"},
             "en": {"contacted": "Contacted", "updated": "Alert updated."}}


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
