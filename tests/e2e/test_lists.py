"""A worked list in a real browser: collections filters the queue by age with the searchable star dropdown
(Tom Select, served locally), walks it with next/previous and records a promise, the queue's query kept
throughout. Bills come in through the billing intake service and the night's evaluation builds the queue."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from arrears.models import CollectionCase
from arrears.services import bill_record
from arrears.tasks import evaluate_nightly
from tests.e2e.test_browser import log_in
from tests.factories import LineFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_collections_filters_the_queue_by_age_and_walks_it(page: Page, live_server, org, csp_errors):
    today = timezone.localdate()
    lines = {}
    for msisdn, days, amount in (("13900000045", 45, "300.00"), ("13900000050", 50, "200.00"),
                                 ("13900000010", 10, "900.00")):
        lines[msisdn] = LineFactory(msisdn=msisdn)
        due = today - timedelta(days=days)
        bill_record(line=lines[msisdn], period=due.replace(day=1), amount=Decimal(amount), due_date=due)
    evaluate_nightly(today.isoformat())

    log_in(page, live_server, org.collections)
    page.goto(f"{live_server.url}/arrears/collection/")
    expect(page.locator("#queue tbody tr")).to_have_count(3)
    # the star filter is a searchable dropdown: pick "unrated" by typing
    expect(page.locator("#queue-filters .ts-wrapper")).to_have_count(2)  # region and star
    page.click("#id_star-ts-control")
    page.keyboard.type("未评")
    page.locator(".ts-dropdown .option", has_text="未评级").first.click()
    page.keyboard.press("Escape")
    expect(page.locator("select[name=star]")).to_have_values(["unrated"])
    # leave the dropdown before typing elsewhere: Tom Select may take the focus back after Escape (on a loaded CI
    # machine the "60" below once went into its search box)
    page.locator("h1").click()
    expect(page.locator(".ts-dropdown:visible")).to_have_count(0)
    page.fill("input[name=days_min]", "31")
    page.fill("input[name=days_max]", "60")
    expect(page.locator("input[name=days_max]")).to_have_value("60")
    page.click("#queue-filters button.btn-primary")
    page.wait_for_url(re.compile(r"days_min=31"))
    assert "star=unrated" in page.url
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("13900000045")  # most owed first
    page.click("text=13900000045")
    expect(page.locator("#queue-previous")).to_have_count(0)
    page.click("#queue-next")
    expect(page.locator("h1")).to_contain_text("13900000050")
    expect(page.locator("#queue-next")).to_have_count(0)
    page.select_option("select[name=status]", "promised")
    page.fill("input[name=promised_on]", (today + timedelta(days=3)).isoformat())
    page.fill("input[name=promised_amount]", "200.00")
    page.click("main form[method=post] button")
    expect(page.locator(".alert")).to_contain_text("已保存")
    assert "days_min=31" in page.url and "star=unrated" in page.url
    page.click("#back-to-queue")
    expect(page.locator("#queue tbody tr")).to_have_count(2)
    case = CollectionCase.objects.get(line=lines["13900000050"])
    assert case.status == "promised" and case.worked_by == org.collections
    assert csp_errors == []
