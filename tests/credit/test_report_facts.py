"""The credit report's star counts read from the nightly facts (credit.report_facts) answer what the live count
answers on the facts' night, for a province-wide role and for a region; a manager's book is read live. Stars come
from legacy grades and a line's closure through the intake, the facts are the scheduled task's."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from freezegun import freeze_time

from arrears.services import bill_record, payment_record
from credit import report_facts
from credit.outcomes import outcomes
from credit.selectors import star_distribution
from credit.services import legacy_grade_import
from credit.tasks import report_facts_nightly
from customers.intake import line_status_report
from customers.models import Customer
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db
NIGHT = date(2026, 11, 24)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def province(org):
    """The org's customers (regions A and B) and two of other regions, each with a line; some rated from legacy
    grades, one closed by billing; two barred on intake by a bill far over their credit and restored by their
    payment (a holder and a customer never rated); then the night's facts."""
    customers = [*org.all_customers, CustomerFactory(), CustomerFactory()]
    for i, customer in enumerate(customers):
        line = LineFactory(customer=customer)
        if i % 3 != 1:
            legacy_grade_import(customer=customer, grade=("AAA", "BB", "C", "A")[i % 4])
        if i == 3:
            line_status_report(line=line, status="closed", changed_at=at(NIGHT - timedelta(days=2)),
                               reason="cancelled")
        if i in (0, 1):
            with freeze_time(at(date(2026, 8, 26))):  # far over their credit: barred on intake
                bill_record(line=line, period=date(2026, 8, 1), amount=Decimal("900.00"),
                            due_date=date(2026, 8, 25))
    for i in (0, 1):
        paid = at(date(2026, 9, 10 + 5 * i))
        with freeze_time(paid):
            payment_record(line=customers[i].lines.get(), amount=Decimal("1000.00"), paid_at=paid,
                           channel="counter", reference=f"restore-{i}")
    with freeze_time(at(NIGHT, 5, 35)):
        report_facts_nightly(NIGHT.isoformat())
    return org


@pytest.mark.parametrize("reader", ["credit_officer", "collections", "regional_a"])
def test_the_facts_answer_what_the_live_count_answers(province, reader):
    user = getattr(province, reader)
    facts = report_facts.facts_scope(user)
    assert facts is not None and facts[0] == NIGHT
    live = star_distribution(Customer.objects.visible_to(user))
    assert report_facts.star_distribution(*facts) == live
    assert sum(n for _, n, _ in live) == (10 if reader != "regional_a" else 6)
    assert {star for star, n, _ in live if n} > {None}  # rated and unrated both counted
    with freeze_time(at(NIGHT + timedelta(days=1))):
        from_facts, counted = outcomes(user=user), outcomes(user=user, live=True)
    assert from_facts.pop("facts_night") == NIGHT and counted.pop("facts_night") is None
    assert from_facts == counted  # the star shares (closed left out), the churn population and the series alike
    september = next(r for r in from_facts["series"] if r["month"] == "2026-09")
    november = next(r for r in from_facts["series"] if r["month"] == "2026-11")
    if reader != "regional_a":  # the two barred customers (the org's first two; the holder rated since)
        assert (september["before"], september["others"]) == (15.0, 20.0)
    assert november["churn_holders"] > 0 or reader == "regional_a"
    assert sum(r["customers"] for r in from_facts["star_shares"]) == sum(n for _, n, _ in live) - 1


def test_a_managers_book_is_read_live_and_no_complete_night_means_live(province, org):
    assert report_facts.facts_scope(org.am1) is None
    assert report_facts.facts_day() == NIGHT
    later = NIGHT + timedelta(days=report_facts.KEEP_DAYS + 1)
    report_facts.old_facts_forget(later)  # a week of failed nights: the latest complete one is kept, still read
    assert sum(n for _, n, _ in report_facts.star_distribution(NIGHT, None)) == 10
    with freeze_time(at(later, 5, 35)):
        report_facts_nightly(later.isoformat())  # a newer night completes: the old one goes at the next planning
    report_facts.old_facts_forget(later + timedelta(days=1))
    assert not any(n for _, n, _ in report_facts.star_distribution(NIGHT, None))
    assert report_facts.facts_day() == later and sum(n for _, n, _ in report_facts.star_distribution(later, None))


def test_a_night_counted_before_the_outcome_facts_existed_reads_the_series_live(province):
    with connection.cursor() as cur:
        cur.execute("DELETE FROM credit_outcomefact")  # the night before the upgrade: star counts only
    with freeze_time(at(NIGHT + timedelta(days=1))):
        from_night, counted = outcomes(user=province.credit_officer), outcomes(user=province.credit_officer, live=True)
    assert from_night["series"] == counted["series"]
    assert any(r["churn_holders"] for r in from_night["series"])  # not the zeros of an empty night


def test_a_barring_that_began_before_the_series_counts_in_its_restoration_month(org):
    """Barred in November 2025 (before the 12 months read on 24 Nov 2026 begin), restored on 10 January: January's
    average, from the facts as live, is the whole barring."""
    customer = CustomerFactory(region=org.region_a)
    line = LineFactory(customer=customer)
    with freeze_time(at(date(2025, 11, 21))):
        bill_record(line=line, period=date(2025, 10, 1), amount=Decimal("900.00"), due_date=date(2025, 11, 20))
    with freeze_time(at(date(2026, 1, 10))):
        payment_record(line=line, amount=Decimal("1000.00"), paid_at=at(date(2026, 1, 10)), channel="counter",
                       reference="long")
    with freeze_time(at(NIGHT, 5, 35)):
        report_facts_nightly(NIGHT.isoformat())
    with freeze_time(at(NIGHT + timedelta(days=1))):
        from_facts = outcomes(user=org.credit_officer)
        counted = outcomes(user=org.credit_officer, live=True)
    january = [r for r in from_facts["series"] if r["month"] == "2026-01"]
    assert january == [r for r in counted["series"] if r["month"] == "2026-01"]
    assert january[0]["others"] == 50.0  # 21 Nov 2025 to 10 Jan 2026


def test_the_report_page_says_of_which_night(province, client):
    client.force_login(province.credit_officer)
    with freeze_time(at(NIGHT + timedelta(days=1))):
        response = client.get(reverse("credit:report"))
    assert response.status_code == 200
    assert response.context["figures_night"] == NIGHT
    assert b'id="figures-night"' in response.content
    assert sum(n for _, n, _ in response.context["distribution"]) == 10
