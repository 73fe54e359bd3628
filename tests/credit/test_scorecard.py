"""A data-driven scorecard (#15): bins fitted from payment outcomes with optbinning, exported as a draft."""

from datetime import date, datetime
from zoneinfo import ZoneInfo
from decimal import Decimal

import pytest
from django.db.models import F

from arrears.models import Bill, Payment
from credit.choices import ModelStatus
from credit.impact import impact_preview
from credit.scorecard import MIN_IV, scorecard_fit
from tests.credit.publishing import publish
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db
OBSERVED = date(2026, 5, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _payer(late: bool, bad: bool, i: int):
    customer = CustomerFactory(join_date=date(2018 + i % 6, 1, 1), credit_star=None,
                               avg_monthly_spend=Decimal(80 + 3 * i))
    line = LineFactory(customer=customer)
    for m in range(1, 11):  # bills due 2025-08 … 2026-05 before, and after the observation date
        period = date(2025 + (7 + m) // 12, (7 + m) % 12 + 1, 1)
        unpaid = (late and m % 2 == 0 and period < OBSERVED) or (bad and period >= OBSERVED)
        Bill.objects.create(line=line, customer=customer, period=period, amount=Decimal("100.00"),
                            due_date=period.replace(day=20),
                            paid_amount=Decimal("0.00") if unpaid else Decimal("100.00"))
        if not unpaid:  # the payment itself: the factors read when bills were paid from the payments
            Payment.objects.create(line=line, customer=customer, amount=Decimal("100.00"), channel="counter",
                                   paid_at=datetime(period.year, period.month, 15, 10, tzinfo=SHANGHAI),
                                   reference=f"p-{line.pk}-{period:%Y%m}")
    return customer


def test_scorecard_is_a_draft_with_monotonic_bins_iv_and_cutoffs(org):
    for i in range(80):  # late payers mostly stay bad; a few punctual ones turn bad
        _payer(late=i % 4 == 0, bad=(i % 4 == 0 and i % 16 != 4) or i % 10 == 3, i=i)
    draft = scorecard_fit(observed=OBSERVED, by=org.credit_officer)
    assert draft.status == ModelStatus.DRAFT and draft.created_by == org.credit_officer
    assert draft.data_from == OBSERVED and draft.data_to == date(2026, 11, 1)
    iv = draft.metrics["information_value"]
    assert iv and all(v >= MIN_IV for v in iv.values())
    assert "late_bills_12m" in iv  # the late payers' past is what separates them
    late = draft.factors.get(feature="late_bills_12m")
    points = [b.points for b in late.bins.order_by(F("lower").asc(nulls_first=True))]
    assert points == sorted(points, reverse=True)  # more late bills, fewer points: monotonic
    cutoffs = dict(draft.cutoffs.values_list("star", "min_score"))
    assert sorted(cutoffs) == [1, 2, 3, 4, 5] and all(cutoffs[s] > cutoffs[s - 1] for s in range(2, 6))
    # reviewed like any draft: its impact preview, then published by an officer
    assert impact_preview(model=draft, by=org.credit_officer).customers >= 80
    assert publish(draft, asker=org.credit_officer).status == ModelStatus.PUBLISHED
