"""Customer value as a credit factor (#16 item 6, source 000: 对于低价值客户要适当降低授信额度, 高价值客户要提高).

Bills with their costs come in through billing's API, the monthly value batch ranks the province in deciles, the
base rating run scores the decile with the running model's bins, and the star, the limit and "why this star" show
it; the impact preview and the stability bins of a draft read the same factor.
"""

import re
import uuid
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears.value import value_in_process
from core.tasks import dispatch_run
from credit import policies
from credit.batches import BASE_KIND
from credit.choices import Feature
from credit.default_model import FACTORS, VALUE_DECILE_FACTOR
from credit.features import value_month
from credit.impact import impact_preview, stability_counts
from credit.models import Rating
from credit.scorecard import dataset
from credit.services import scoring_model_copy
from credit.selectors import scoring_model_published
from tests.credit.test_batches import good_customer
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db
MONTHS = ("2026-08", "2026-09", "2026-10")
RATED_ON = date(2026, 12, 1)  # the base run of 2026-12 reads the deciles of 2026-10 (the latest complete bills)


@pytest.fixture
def billing(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return client


def _post(billing, url, body):
    response = billing.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 201, response.json()


def _pay(billing, line, paid_at: str):
    _post(billing, "/api/billing/payments/", {"msisdn": line.msisdn, "amount": "100.00", "channel": "counter",
                                              "paid_at": paid_at, "reference": uuid.uuid4().hex})


def billed_and_paid(billing, line, costs: dict):
    """100.00 billed a month for three months with `costs` on each bill, each paid on time (nothing late), a
    month paid ahead so that no bill ever bars the line (no suspension either)."""
    _pay(billing, line, "2026-07-20T10:00:00+08:00")
    for period in MONTHS:
        _post(billing, "/api/billing/bills/", {"msisdn": line.msisdn, "period": period, "amount": "100.00",
                                               "due_date": f"{period}-25", "costs": costs})
        _pay(billing, line, f"{period}-20T10:00:00+08:00")


def valued_province(billing):
    """Twins alike in every factor but value: `rich` (no costs: the top decile) and `poor` (a 150.00 handset
    subsidy a month: negative, the bottom decile), eight others between them, and `unranked` (never billed)."""
    rich, poor, unranked = good_customer(), good_customer(), good_customer()
    billed_and_paid(billing, rich.lines.get(), {})
    billed_and_paid(billing, poor.lines.get(), {"handset_subsidy": "150.00"})
    for i in range(1, 9):
        billed_and_paid(billing, LineFactory(), {"commission": f"{10 * i}.00"})
    return rich, poor, unranked


def points_of(decile: int) -> Decimal:
    """The shipped bins (credit/default_model.py) for a decile."""
    for lower, upper, points in VALUE_DECILE_FACTOR[3]:
        if (lower is None or decile >= lower) and (upper is None or decile < upper):
            return Decimal(points)
    return Decimal(0)


def star_for(model, score: Decimal) -> int:
    return max((c.star for c in model.cutoffs.all() if score >= c.min_score), default=0)


def test_the_running_default_model_bins_the_value_decile():
    model = scoring_model_published()
    factor = model.factors.get(feature=Feature.VALUE_DECILE)
    assert factor.dimension == "value" and factor.bins.count() == len(VALUE_DECILE_FACTOR[3])
    assert {f.feature for f in model.factors.all()} == {f[1] for f in FACTORS} | {Feature.VALUE_DECILE}


def test_low_value_customers_get_a_lower_star_and_limit_and_see_why(client, org, billing):
    rich, poor, unranked = valued_province(billing)
    assert value_month(RATED_ON) is None  # nothing ranked yet
    value_in_process("2026-10")
    assert value_month(RATED_ON) == date(2026, 10, 1) and value_month(date(2026, 11, 1)) is None  # never ahead

    dispatch_run(BASE_KIND, "2026-12")
    ratings = {r.customer_id: r for r in Rating.objects.filter(kind="base")}
    top, bottom, unknown = ratings[rich.pk], ratings[poor.pk], ratings[unranked.pk]
    assert top.factor_values["value_decile"] == 1 and bottom.factor_values["value_decile"] == 10
    assert Decimal(str(top.points["value_decile"])) == points_of(1) > 0
    assert Decimal(str(bottom.points["value_decile"])) == points_of(10) < 0
    assert unknown.factor_values["value_decile"] is None and unknown.points["value_decile"] == 0
    # the twins differ only in value: the scores differ by exactly the two bins' points
    assert top.score - bottom.score == points_of(1) - points_of(10)
    assert unknown.score - bottom.score == -points_of(10)
    model = scoring_model_published()
    for customer, rating in ((rich, top), (poor, bottom)):
        customer.refresh_from_db()
        assert customer.credit_star == rating.new_star == star_for(model, rating.score)
        assert customer.credit_limit == policies.star_policy(customer.credit_star).initial_limit
    assert rich.credit_star > poor.credit_star and rich.credit_limit > poor.credit_limit

    client.force_login(org.credit_officer)  # "why this star" on the 360 page (Chinese by default)
    with translation.override("zh-hans"):
        label, unknown_text = str(Feature.VALUE_DECILE.label), str(translation.gettext("unknown"))
    page = client.get(f"/customers/{poor.pk}/").content.decode()
    assert re.search(rf"<td>{re.escape(label)}</td><td>10</td><td>{points_of(10)}(\.0+)?</td>", page)
    page = client.get(f"/customers/{unranked.pk}/").content.decode()
    assert re.search(rf"<td>{re.escape(label)}</td><td>{unknown_text}</td><td>0(\.0+)?</td>", page)


def test_the_impact_preview_and_the_stability_bins_read_the_value_decile(org, billing):
    rich, poor, _ = valued_province(billing)
    dispatch_run(BASE_KIND, "2026-12")  # rated before any value is ranked: the twins alike
    rich.refresh_from_db()
    poor.refresh_from_db()
    assert rich.credit_star == poor.credit_star
    before = Rating.objects.get(customer=poor).score

    value_in_process("2026-10")  # now ranked: an unchanged copy of the running model would move the twins apart
    draft = scoring_model_copy(model=scoring_model_published(), by=org.credit_officer)
    preview = impact_preview(model=draft, by=org.credit_officer, today=RATED_ON)
    cells = {(old, new): (n, Decimal(change)) for old, new, n, change in preview.matrix}
    old = poor.credit_star
    down, up = star_for(draft, before + points_of(10)), star_for(draft, before + points_of(1))
    assert down < old <= up
    limit = {s: policies.star_policy(s).initial_limit for s in (old, down, up)}
    assert cells[(old, down)][0] >= 1 and cells[(old, down)][1] <= limit[down] - limit[old]
    if up != old:
        assert cells[(old, up)][0] >= 1

    counts = stability_counts(draft, RATED_ON)["value_decile"]
    assert sum(counts.values()) == preview.customers  # every open customer in a bin or in 'none' (unranked)
    assert counts["0"] >= 1 and counts["3"] >= 1 and counts.get("none", 0) >= 1


def test_the_scorecard_fit_reads_the_value_decile(billing):
    rich, poor, unranked = valued_province(billing)
    value_in_process("2026-10")
    values, _ = dataset(RATED_ON, date(2027, 5, 1))
    deciles = values["value_decile"]
    assert np.nanmin(deciles) == 1 and np.nanmax(deciles) == 10 and np.isnan(deciles).sum() >= 1
