"""An account manager keeps a group's data in a real browser (issue 16; 003 §4.3 第七): adds a key person with a
VIP card and sees the phone masked, adds an agreement, renews it when it lapsed; the change history names them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from enterprise.models import Agreement, EnterpriseAccount, KeyPerson
from tests.e2e.test_browser import log_in
from tests.worker_kill import reseed_defaults

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def save(page: Page):
    page.click("main form.card button.btn-primary")
    page.wait_for_load_state()


def test_an_account_manager_adds_a_key_person_and_an_agreement(page: Page, live_server, org, csp_errors):
    reseed_defaults()  # the calendar and policies the page reads: an earlier transactional test flushed them
    account = EnterpriseAccount.objects.create(name="杭州水务集团", industry="水电煤", region=org.region_a,
                                               account_manager=org.am1)
    today = timezone.localdate()
    log_in(page, live_server, org.am1)
    page.goto(f"{live_server.url}/enterprise/accounts/{account.pk}/")

    page.click("#add-key-person")
    page.select_option("select[name=role]", "decision_maker")
    page.fill("input[name=name]", "李总")
    page.fill("input[name=title]", "董事长")
    page.fill("input[name=phone]", "13800138000")
    page.fill("input[name=vip_card_issued_on]", f"{today - timedelta(days=3):%Y-%m-%d}")
    save(page)
    person = KeyPerson.objects.get(account=account)
    row = page.locator(f"[data-key-person='{person.pk}']")
    expect(row).to_contain_text("李总")
    expect(row).to_contain_text("138****8000")
    expect(row).to_contain_text("VIP卡")
    expect(page.locator("#key-people")).not_to_contain_text("13800138000")

    page.click("#add-agreement")
    page.fill("input[name=title]", "集团统付协议")
    page.fill("input[name=signed_on]", f"{today - timedelta(days=370):%Y-%m-%d}")
    page.fill("input[name=expires_on]", f"{today - timedelta(days=5):%Y-%m-%d}")
    page.fill("input[name=monthly_value]", "12000.00")
    save(page)
    lapsed = Agreement.objects.get(account=account)
    expect(page.locator(f"[data-agreement='{lapsed.pk}']")).to_have_attribute("data-state", "lapsed")
    expect(page.locator(f"[data-agreement='{lapsed.pk}']")).to_contain_text("已过期未续签")

    page.locator(f"[data-agreement='{lapsed.pk}'] a", has_text="续签").click()
    page.fill("input[name=title]", "集团统付协议（续签）")
    page.fill("input[name=signed_on]", f"{today:%Y-%m-%d}")
    page.fill("input[name=expires_on]", f"{today + timedelta(days=730):%Y-%m-%d}")
    save(page)
    renewal = Agreement.objects.get(renews=lapsed)
    expect(page.locator(f"[data-agreement='{lapsed.pk}']")).to_have_attribute("data-state", "renewed")
    expect(page.locator(f"[data-agreement='{renewal.pk}']")).to_have_attribute("data-state", "active")
    expect(page.locator("#changes")).to_contain_text(org.am1.username)
    expect(page.locator("#changes")).to_contain_text("138****8000")
    assert not csp_errors
