"""Stars go up as well as down in the half-yearly guidance (#13; source 004: 畅通客户级别上升通道, 客户信用级别随其信用
评价升降), and every run reads the history as of its own day.

Through billing's API: bills and payments come in, the base run rates, the guidance run of the next half-year
lifts a customer whose credit score has reached a higher star (one star a run, rule score_up) and records the score
it read; its twin lowers a customer whose score no longer reaches their star (one star a run, rule score_down);
suspensions after a run's day (the intake bars a line at once when a bill leaves it short) are not read by a run of
an earlier period.
"""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from core.tasks import dispatch_run
from credit import policies
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.choices import GUIDANCE_RULE_LABELS
from credit.models import Rating
from credit.selectors import scoring_model_published
from customers.models import LineStatusChange
from tests.credit.test_batches import good_customer
from tests.credit.test_guidance_value import _post, billing, usage  # noqa: F401 (billing: the API client fixture)

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


SPEND_KIND = "customers.refresh_spend"  # the nightly average spend from billing's usage summaries
HIGH_SPEND = [f"{y}-{m:02d}" for y, m in [(2024, m) for m in range(7, 13)] + [(2025, m) for m in range(1, 7)]]
SECOND_HALF_2025 = [f"2025-{m:02d}" for m in range(7, 13)]
FIRST_HALF_2026 = MONTHS_2026[:5] + ["2026-06"]


def test_a_customer_whose_score_falls_below_the_star_goes_down_one_star_a_run(client, org, billing):  # noqa: F811
    # Long-tenured, complete data, never billed late: billing's usage says 250.00 a month until June 2025, then
    # 10.00. The spend the score reads is the product's own average of the last six months (the spend refresh of
    # the run's night), so the score falls with it: spend, stability and value ratio points are lost.
    customer = good_customer(avg_monthly_spend=Decimal("0.00"))
    line = customer.lines.get()
    for month in HIGH_SPEND:
        usage(billing, line, month, "250.00")
    dispatch_run(SPEND_KIND, "2025-07-01")
    dispatch_run(BASE_KIND, "2025-07")
    customer.refresh_from_db()
    cutoffs = {c.star: c.min_score for c in scoring_model_published().cutoffs.all()}
    star = customer.credit_star
    base = Rating.objects.get(customer=customer, kind="base")
    assert star >= 2 and base.new_star == star and base.score >= cutoffs[star]  # the base run's star, not a fixture's

    for period, night, months in (("2026-H1", "2026-01-01", SECOND_HALF_2025),
                                  ("2026-H2", "2026-07-01", FIRST_HALF_2026)):
        for month in months:
            usage(billing, line, month, "10.00")
        dispatch_run(SPEND_KIND, night)
        run = dispatch_run(GUIDANCE_KIND, period)
        customer.refresh_from_db()
        rating = Rating.objects.get(customer=customer, run=run)
        # below the star's cut-off (the score's own star is lower still): down exactly one star this run
        assert (rating.rule, rating.old_star, rating.new_star) == ("score_down", star, star - 1), period
        assert rating.score < cutoffs[star] and rating.factor_values["score_star"] < star - 1
        assert rating.policy_version == policies.GUIDANCE_VERSION
        star -= 1
        assert customer.credit_star == star
        status = billing.get(f"/api/credit-status/{line.msisdn}/").json()  # what billing applies
        assert status["star"] == star and Decimal(status["credit_limit"]) == customer.credit_limit

    client.force_login(org.credit_officer)  # the 360 page: both steps down in the rating history, by score_down
    with translation.override("zh-hans"):
        label = str(GUIDANCE_RULE_LABELS["score_down"])
        page = client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    history = page[page.index('id="rating-history"'):]
    assert len(re.findall(rf'class="rating-rule" title="[^"]*">{re.escape(label)}</td>', history)) == 2
