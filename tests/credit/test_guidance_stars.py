"""Stars go up as well as down in the half-yearly guidance (#13; source 004: 畅通客户级别上升通道, 客户信用级别随其信用
评价升降), and every run reads the history as of its own day.

Through billing's API: bills and payments come in, the base run rates, the guidance run of the next half-year
lifts a customer whose credit score has reached a higher star (one star a run, rule score_up) and records the score
it read; suspensions after a run's day (the intake bars a line at once when a bill leaves it short) are not read
by a run of an earlier period.
"""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from core.tasks import dispatch_run
from credit import policies
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.models import Rating
from customers.models import LineStatusChange
from tests.credit.test_batches import good_customer
from tests.credit.test_guidance_value import _post, billing  # noqa: F401 (billing: the API client fixture)

pytestmark = pytest.mark.django_db


def pay(billing, line, paid_at: str, *, amount: str = "100.00", channel: str = "counter"):  # noqa: F811
    _post(billing, "/api/billing/payments/", {"msisdn": line.msisdn, "amount": amount, "channel": channel,
                                              "paid_at": paid_at, "reference": uuid.uuid4().hex})


def bill(billing, line, month: str, amount: str = "100.00"):  # noqa: F811
    _post(billing, "/api/billing/bills/", {"msisdn": line.msisdn, "period": month, "amount": amount,
                                           "due_date": f"{month}-25", "costs": {}})


MONTHS_2025 = [f"2025-{m:02d}" for m in range(1, 13)]
MONTHS_2026 = [f"2026-{m:02d}" for m in range(1, 6)]


def test_a_customer_whose_score_reaches_a_higher_star_goes_up_one_star(billing):  # noqa: F811
    # 33 months on the network at the base run of January 2026 (tenure 12-36: 8 points), 39 at the guidance run
    # of July (36-72: 14 points); paid ahead every month, the 2026 bills by auto-debit (+4): 84 -> 94 points
    customer = good_customer(join_date=date(2023, 3, 15))
    line = customer.lines.get()
    pay(billing, line, "2025-01-01T10:00:00+08:00")  # a month ahead: no bill ever leaves the line short
    for month in MONTHS_2025:
        bill(billing, line, month)
        pay(billing, line, f"{month}-20T10:00:00+08:00")
    for month in MONTHS_2026:
        bill(billing, line, month)
        pay(billing, line, f"{month}-20T10:00:00+08:00", channel="auto_debit")

    dispatch_run(BASE_KIND, "2026-01")
    customer.refresh_from_db()
    base = Rating.objects.get(customer=customer, kind="base")
    assert (customer.credit_star, base.score) == (2, Decimal("84.00"))
    assert customer.credit_limit == policies.star_policy(2).initial_limit  # the bottom of 2★'s range

    run = dispatch_run(GUIDANCE_KIND, "2026-H2")
    customer.refresh_from_db()
    rating = Rating.objects.get(customer=customer, run=run)
    # guidance-2026.3 kept this customer at 2★: up_star needed the limit at the top of the range (5 up_limit steps)
    assert (rating.rule, rating.old_star, rating.new_star) == ("score_up", 2, 3)
    assert (customer.credit_star, customer.credit_limit) == (3, policies.star_policy(3).initial_limit)
    assert rating.score == Decimal("94.00") and rating.factor_values["score_star"] == 4  # one star a run
    assert rating.policy_version == policies.GUIDANCE_VERSION and rating.scoring_model_id == base.scoring_model_id

    status = billing.get(f"/api/credit-status/{line.msisdn}/").json()  # what billing applies
    assert status["star"] == 3 and Decimal(status["credit_limit"]) == customer.credit_limit


def test_a_run_does_not_read_suspensions_after_its_day(billing):  # noqa: F811
    customer = good_customer()
    line = customer.lines.get()
    pay(billing, line, "2025-06-01T10:00:00+08:00")
    for month in MONTHS_2025[5:]:
        bill(billing, line, month)
        pay(billing, line, f"{month}-20T10:00:00+08:00")
    dispatch_run(BASE_KIND, "2026-01")
    customer.refresh_from_db()
    star = customer.credit_star
    assert star >= 1

    for month in ("2026-01", "2026-02"):  # posted today: each bill bars the line at once, its payment restores it
        bill(billing, line, month, amount="400.00")
        pay(billing, line, f"{month}-20T10:00:00+08:00", amount="400.00")
    barred = LineStatusChange.objects.filter(line=line, to_status="one_way_barred")
    assert barred.count() == 2 and all(c.changed_at.date() > date(2026, 7, 1) for c in barred)

    dispatch_run(GUIDANCE_KIND, "2026-H2")  # as of 1 July 2026: those suspensions had not happened
    customer.refresh_from_db()
    assert customer.credit_star == star
    assert not Rating.objects.filter(customer=customer, kind="guidance", rule__in=("down_star", "down_limit")).exists()
