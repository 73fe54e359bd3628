"""Base and guidance runs through the real SQL on small fixtures."""

from datetime import date
from decimal import Decimal

import pytest

from arrears.models import Bill
from core.tasks import dispatch_run
from credit import policies
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.models import Rating
from credit.selectors import scoring_model_published
from customers.models import BlacklistEntry, Customer
from tests.factories import CustomerFactory, LineFactory, UsageSummaryFactory

pytestmark = pytest.mark.django_db

PERIOD = "2026-11"  # anchors the run on 2026-11-01


def good_customer(**overrides):
    """Long-tenured, high-spending, complete data: scores high in the default model."""
    values = {"join_date": date(2010, 1, 1), "avg_monthly_spend": Decimal("250.00"), "data_completeness": 100,
              "credit_star": None}
    values.update(overrides)
    customer = CustomerFactory(**values)
    LineFactory(customer=customer)
    return customer


def test_base_run_rates_qualifying_customers_and_explains_it():
    customer = good_customer()
    run = dispatch_run(BASE_KIND, PERIOD)
    customer.refresh_from_db()
    assert customer.credit_star is not None and customer.credit_star >= 3
    rating = Rating.objects.get(customer=customer)
    assert rating.run_id == run.pk and rating.policy_version == f"base-v{scoring_model_published().version}"
    assert rating.old_star is None and rating.new_star == customer.credit_star
    assert rating.factor_values["tenure_months"] >= 72 and rating.points["tenure_months"] == 20
    assert rating.score == sum(Decimal(str(p)) for p in rating.points.values())
    assert customer.credit_limit == {5: 300, 4: 200, 3: 50}[customer.credit_star]


@pytest.mark.parametrize("joined, rated", [(date(2026, 6, 1), False), (date(2026, 5, 1), True)])
def test_unrated_at_five_months_rated_at_six(joined, rated):
    customer = good_customer(join_date=joined)
    dispatch_run(BASE_KIND, PERIOD)
    customer.refresh_from_db()
    assert (customer.credit_star is not None) is rated


def test_blacklisted_customer_stays_unrated():
    customer = good_customer()
    BlacklistEntry.objects.create(id_number=customer.id_number, reason="欠费", amount_owed=Decimal("10"))
    dispatch_run(BASE_KIND, PERIOD)
    customer.refresh_from_db()
    assert customer.credit_star is None


def test_base_run_leaves_rated_customers_alone_and_rerun_changes_nothing():
    rated = good_customer(credit_star=2, credit_limit=Decimal("20.00"))
    good_customer()  # an unrated one the run does rate
    dispatch_run(BASE_KIND, PERIOD)
    rated.refresh_from_db()
    assert rated.credit_star == 2 and not Rating.objects.filter(customer=rated).exists()
    ratings = Rating.objects.count()
    snapshot = list(Customer.objects.order_by("id").values_list("credit_star", "credit_limit"))
    dispatch_run(BASE_KIND, PERIOD)  # same period: the run is already done
    assert Rating.objects.count() == ratings
    assert list(Customer.objects.order_by("id").values_list("credit_star", "credit_limit")) == snapshot


def test_late_payer_scores_lower_than_a_punctual_twin():
    punctual, late = good_customer(), good_customer()
    line = late.lines.get()
    for month in (5, 6, 7):
        Bill.objects.create(line=line, customer=late, period=date(2026, month, 1), amount=Decimal("100"),
                            due_date=date(2026, month + 1, 20), paid_amount=0)
    dispatch_run(BASE_KIND, PERIOD)
    score = {r.customer_id: r.score for r in Rating.objects.all()}
    assert score[late.pk] < score[punctual.pk]
    assert Rating.objects.get(customer=late).factor_values["late_bills_12m"] == 3


def spend_history(customer, early, recent):
    """Six months of bills: three at `early`, the last three at `recent` (relative to 2026-07-01)."""
    line = customer.lines.get()
    for i, month in enumerate((1, 2, 3, 4, 5, 6)):
        UsageSummaryFactory(line=line, month=date(2026, month, 1), bill_amount=Decimal(early if i < 3 else recent))


def test_guidance_raises_limit_for_rising_spend_and_records_the_rule():
    # a 3★ whose credit score stays in 3★ (90 points: spend 150, data 70 % complete), so score_up does not fire
    customer = good_customer(credit_star=3, credit_limit=Decimal("50.00"), avg_monthly_spend=Decimal("150.00"),
                             data_completeness=70)
    spend_history(customer, "100", "120")
    run = dispatch_run(GUIDANCE_KIND, "2026-H2")
    customer.refresh_from_db()
    assert (customer.credit_star, customer.credit_limit) == (3, Decimal("60.00"))
    rating = Rating.objects.get(customer=customer)
    assert (rating.rule, rating.kind, rating.run_id, rating.policy_version) == (
        "up_limit", "guidance", run.pk, policies.GUIDANCE_VERSION)


def test_guidance_star_up_from_top_of_range_and_down_on_arrears():
    top = good_customer(credit_star=3, credit_limit=Decimal("100.00"))
    spend_history(top, "100", "150")
    debtor = good_customer(credit_star=4, credit_limit=Decimal("250.00"))
    Bill.objects.create(line=debtor.lines.get(), customer=debtor, period=date(2026, 4, 1), amount=Decimal("80"),
                        due_date=date(2026, 5, 20), paid_amount=0)
    # a 2★ whose score no longer reaches 2★ (low spend, no data) goes down one star (score_down)
    slipping = good_customer(credit_star=2, credit_limit=Decimal("30.00"), avg_monthly_spend=Decimal("20.00"),
                             data_completeness=0)
    # a 4★ whose score reaches 4★ (and not 5★), on time, spend flat: nothing moves it
    quiet = good_customer(credit_star=4, credit_limit=Decimal("250.00"))
    dispatch_run(GUIDANCE_KIND, "2026-H2")
    for c in (top, debtor, slipping, quiet):
        c.refresh_from_db()
    assert (top.credit_star, top.credit_limit) == (4, Decimal("200.00"))
    assert (debtor.credit_star, debtor.credit_limit) == (3, Decimal("50.00"))  # 42 days in arrears
    rating = Rating.objects.get(customer=slipping)
    assert (slipping.credit_star, rating.rule, rating.policy_version) == (1, "score_down", policies.GUIDANCE_VERSION)
    assert slipping.credit_limit == policies.star_policy(1).initial_limit
    assert rating.factor_values["score_star"] < 2  # the evaluation it read, as "why this star" shows it
    assert (quiet.credit_star, quiet.credit_limit) == (4, Decimal("250.00"))
    assert not Rating.objects.filter(customer=quiet).exists()
