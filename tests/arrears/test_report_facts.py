"""The arrears report's nightly pre-aggregates (arrears.report_facts) answer what the live queries answer on the
facts' night, for the province and for a region; a manager's book is read live. Bills and payments come in through
the intake services, the night's evaluation and the facts batch are the scheduled tasks."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from freezegun import freeze_time

from arrears import report_facts, selectors
from arrears.services import bill_record, payment_record
from arrears.tasks import evaluate_nightly, report_facts_nightly
from marketing.selectors import star_history
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = date(2026, 11, 24)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def bill(line, *, due_days_ago: int, amount: str):
    due = NIGHT - timedelta(days=due_days_ago)
    with freeze_time(at(due - timedelta(days=20))):
        bill_record(line=line, period=due.replace(day=1), amount=Decimal(amount), due_date=due)


@pytest.fixture
def province(org):
    """Lines of the org's customers (regions A and B, each customer its own brand and channel) and of other
    regions, owing for different ages, one paid back in part, one a customer with no line; then the night."""
    customers = [*org.all_customers, CustomerFactory(), CustomerFactory()]
    for i, customer in enumerate(customers):
        for k in range(1 + i % 2):
            line = LineFactory(customer=customer)
            bill(line, due_days_ago=(5, 40, 75, 120, 200, 0)[(i + k) % 6], amount=f"{30 + 10 * i}.00")
            if i % 3 == 0:
                with freeze_time(at(NIGHT - timedelta(days=1))):
                    payment_record(line=line, amount=Decimal("12.50"), paid_at=at(NIGHT - timedelta(days=1)),
                                   channel="app", reference=f"p-{line.pk}")
    CustomerFactory(account_manager=org.am1, region=org.region_a)  # no line: counts in the scorecard's average
    with freeze_time(at(NIGHT, 0, 30)):
        evaluate_nightly(NIGHT.isoformat())
    with freeze_time(at(NIGHT, 5, 45)):
        report_facts_nightly(NIGHT.isoformat())
    return org


def _sorted(rows):
    return sorted(rows, key=lambda r: sorted(r.items()))


@pytest.mark.parametrize("reader", ["credit_officer", "regional_a"])
def test_the_facts_answer_what_the_live_queries_answer(province, reader):
    user = getattr(province, reader)
    assert report_facts.facts_day() == NIGHT
    assert selectors.facts_scope(user) == (NIGHT, None if reader == "credit_officer" else province.region_a.pk)
    for dimension in ("star", "brand", "channel"):
        facts = selectors.arrears_by(user=user, dimension=dimension)
        assert facts and _sorted(facts) == _sorted(selectors.arrears_by(user=user, dimension=dimension, live=True))
    scorecard = selectors.agent_scorecard(user=user)
    assert scorecard == selectors.agent_scorecard(user=user, live=True)
    assert any(row["in_arrears"] for row in scorecard)
    with freeze_time(at(NIGHT)):
        assert selectors.aging_summary(user=user) == selectors.aging_summary(user=user, today=NIGHT, live=True)
    assert sum(row["lines"] for row in selectors.aging_summary(user=user)) > 0


def test_a_region_sees_only_its_figures(province):
    region = selectors.arrears_by(user=province.regional_a, dimension="brand")
    province_wide = selectors.arrears_by(user=province.credit_officer, dimension="brand")
    assert sum(r["lines"] for r in region) < sum(r["lines"] for r in province_wide)


def test_a_managers_book_is_read_live_and_stays_theirs(province):
    assert selectors.facts_scope(province.am1) is None
    mine = selectors.arrears_by(user=province.am1, dimension="brand")
    assert sum(r["lines"] for r in mine) == sum(
        r["lines"] for r in selectors.arrears_by(user=province.am1, dimension="brand", live=True))
    assert sum(r["lines"] for r in mine) < sum(
        r["lines"] for r in selectors.arrears_by(user=province.credit_officer, dimension="brand"))


def test_the_star_history_of_the_facts_is_the_live_one(province):
    facts, source = star_history()
    assert (facts, source) == star_history(live=True)
    assert sum(h.in_arrears for h in facts.values()) > 0


def test_the_report_page_reads_the_facts_and_says_of_which_night(client, province):
    from django.core.cache import cache

    cache.clear()
    client.force_login(province.credit_officer)
    page = client.get(reverse("arrears:report"))
    assert page.status_code == 200
    assert page.context["as_of"] == NIGHT
    assert _sorted(page.context["by_brand"]) == _sorted(
        selectors.arrears_by(user=province.credit_officer, dimension="brand", live=True))


def test_a_night_run_twice_writes_its_facts_once(province):
    from arrears.models import ReportFact

    before = ReportFact.objects.count()
    with freeze_time(at(NIGHT, 5, 45)):
        report_facts_nightly(NIGHT.isoformat())
    assert ReportFact.objects.count() == before


def test_the_sp_settlement_of_the_facts_is_the_live_one_for_the_policys_minimum(org):
    from arrears.models import ServiceProvider
    from arrears.settlement import settlement_as_of, sp_settlement

    games, music = (ServiceProvider.objects.create(code=c, name=c) for c in ("games", "music"))
    october = date(2026, 10, 1)
    for i, customer in enumerate([*org.all_customers, *org.all_customers[:3]]):
        line = LineFactory(customer=customer)
        with freeze_time(at(date(2026, 10, 25))):
            charges = {games.pk: Decimal(f"{3 + i}.00"), **({music.pk: Decimal("17.00")} if i % 2 else {})}
            bill_record(line=line, period=october, amount=Decimal(f"{20 + 7 * i}.00"), due_date=date(2026, 11, 10),
                        sp_charges=charges)
        if i % 3:
            with freeze_time(at(date(2026, 11, 5))):
                payment_record(line=line, amount=Decimal(f"{5 * i}.00"), paid_at=at(date(2026, 11, 5)),
                               channel="app", reference=f"sp-{line.pk}")
    with freeze_time(at(NIGHT, 0, 30)):
        evaluate_nightly(NIGHT.isoformat())
    with freeze_time(at(NIGHT, 5, 45)):
        report_facts_nightly(NIGHT.isoformat())
    assert settlement_as_of(period=october) == NIGHT
    assert settlement_as_of(period=october, min_line_arrears=Decimal("1.00")) is None  # another minimum: live
    facts = sp_settlement(period=october, today=NIGHT)
    assert facts == sp_settlement(period=october, today=NIGHT, live=True)
    assert {r.code for r in facts} == {"games", "music"} and all(r.deduction > 0 for r in facts)


def test_the_barring_durations_of_the_facts_are_the_live_ones(province):
    """Lines barred on the first night, some paid back the next day (restored at once), the facts of the night
    after: the same restorations and average days as the live query over the same 12 months."""
    from arrears.models import LineAccount

    later = NIGHT + timedelta(days=2)
    for n, account in enumerate(LineAccount.objects.exclude(state="active").order_by("pk")):
        if n % 2:
            continue
        with freeze_time(at(NIGHT + timedelta(days=1), 9 + n % 5)):
            payment_record(line=account.line, amount=-account.balance + Decimal("200.00"),
                           paid_at=at(NIGHT + timedelta(days=1)), channel="app", reference=f"back-{account.pk}")
    with freeze_time(at(later, 0, 30)):
        evaluate_nightly(later.isoformat())
    with freeze_time(at(later, 5, 45)):
        report_facts_nightly(later.isoformat())
    for user in (province.credit_officer, province.regional_a):
        facts = selectors.barring_durations(user=user)
        assert facts == selectors.barring_durations(user=user, since=later - timedelta(days=365), live=True)
    assert sum(r["restorations"] for r in selectors.barring_durations(user=province.credit_officer)) > 0
