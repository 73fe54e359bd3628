"""The home page's "at a glance" figures read from the nightly facts (workspace.home_facts) answer what the live
count answers on the facts' night, for the province and for a region; a manager's book is read live. Usage and
line status come in through the intake services, stars from legacy grades, the facts are the scheduled task's."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from freezegun import freeze_time

from credit import report_facts
from credit.services import legacy_grade_import
from credit.tasks import report_facts_nightly
from customers.intake import line_status_report, usage_summary_record
from tests.factories import CustomerFactory, LineFactory
from tests.workspace.conftest import NIGHT, at
from workspace import home_facts
from workspace.selectors import home_figures
from workspace.tasks import home_facts_nightly

pytestmark = pytest.mark.django_db
MONTHS = [date(2026, m, 1) for m in (8, 9, 10)]


@pytest.fixture
def province(org):
    """The org's customers (regions A and B) and two of other regions, each with a line and three months of
    usage; some rated from legacy grades, one line closed by billing; then the night's facts."""
    customers = [*org.all_customers, CustomerFactory(), CustomerFactory()]
    for i, customer in enumerate(customers):
        line = LineFactory(customer=customer)
        for k, month in enumerate(MONTHS):
            usage_summary_record(line=line, month=month, today=NIGHT, figures={
                "voice_minutes": 100, "data_mb": 1024, "sms_count": 5, "competitor_hotline_calls": 0,
                "plan_saturation": Decimal("50.00"), "broadband_bundled": False,
                "bill_amount": Decimal(f"{40 + 7 * i + k}.50"), "prepaid_balance": Decimal("0.00")})
        if i % 3 == 0:
            legacy_grade_import(customer=customer, grade=("AAA", "BB", "C", "A")[i % 4])
        if i == 4:
            line_status_report(line=line, status="closed", changed_at=at(NIGHT - timedelta(days=2)),
                               reason="cancelled")
    with freeze_time(at(NIGHT, 5).replace(minute=35)):  # the customer counts are the credit report's facts
        report_facts_nightly(NIGHT.isoformat())
    with freeze_time(at(NIGHT, 5).replace(minute=55)):
        home_facts_nightly(NIGHT.isoformat())
    return org


@pytest.mark.parametrize("reader", ["credit_officer", "collections", "admin", "regional_a"])
def test_the_facts_answer_what_the_live_count_answers(province, reader):
    user = getattr(province, reader)
    facts, live = home_figures(user=user), home_figures(user=user, live=True)
    assert facts.pop("figures_night") == NIGHT and live.pop("figures_night") is None
    assert facts == live
    assert facts["total_customers"] == (10 if reader != "regional_a" else 6)
    assert {star for star, n in facts["by_star"] if n} > {None}  # rated and unrated both counted
    assert sum(n for _, n in facts["by_status"]) == facts["total_customers"]
    assert [row["month"] for row in facts["revenue_trend"]] == ["2026-08", "2026-09", "2026-10"]


def test_a_managers_book_is_read_live_and_no_complete_night_means_live(province, org):
    assert home_figures(user=org.am1)["figures_night"] is None
    assert home_facts.facts_day() == NIGHT
    later = NIGHT + timedelta(days=home_facts.KEEP_DAYS + 1)
    home_facts.old_facts_forget(later)  # a week of failed nights: the latest complete one is kept, still read
    report_facts.old_facts_forget(later)
    assert home_facts.figures(NIGHT, None)["total_customers"] and home_facts.figures(NIGHT, None)["revenue_trend"]
    with freeze_time(at(later, 6)):  # newer nights complete: the old one goes at the next planning
        report_facts_nightly(later.isoformat())
        home_facts_nightly(later.isoformat())
    home_facts.old_facts_forget(later + timedelta(days=1))
    report_facts.old_facts_forget(later + timedelta(days=1))
    assert not home_facts.figures(NIGHT, None)["total_customers"]
    assert not home_facts.figures(NIGHT, None)["revenue_trend"]
    assert home_facts.facts_day() == later and home_facts.figures(later, None)["total_customers"]


def test_the_home_page_says_of_which_night(province, client):
    cache.clear()
    client.force_login(province.credit_officer)
    with freeze_time(at(NIGHT + timedelta(days=1))):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["figures_night"] == NIGHT
    assert b'id="figures-night"' in response.content
    assert response.context["total_customers"] == 10


def test_a_night_without_the_credit_report_counts_is_not_a_facts_night(org):
    """The home reads the customers by star and status from the credit report's facts: a night on which only the
    revenue run is done is not complete, and the home counts live."""
    CustomerFactory()
    with freeze_time(at(NIGHT, 5).replace(minute=55)):
        home_facts_nightly(NIGHT.isoformat())
    assert home_facts.facts_day() is None
    assert home_figures(user=org.credit_officer)["figures_night"] is None
    with freeze_time(at(NIGHT, 6)):
        report_facts_nightly(NIGHT.isoformat())
    assert home_facts.facts_day() == NIGHT
