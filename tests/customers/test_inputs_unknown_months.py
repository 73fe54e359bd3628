"""A usage month that was never sent is unknown, not a month of zeros: the churn signals built on usage do not
read a gap as a 100 % swing or a fall to zero."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection

from retention import signals
from retention.sql import signals as signal_sql
from tests.factories import LineFactory, UsageSummaryFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)  # month0 = 2026-11; m1 = 2026-10


def usage_values(customer_id: int) -> dict:
    params = {"lo": customer_id, "hi": customer_id + 1, **signals.window_params(TODAY, cooldown_days=0)}
    with connection.cursor() as cur:
        cur.execute(f"SELECT usage_swing, competitor_calls, recent_spend FROM ({signal_sql.usage_source(False)}) u",
                    params)
        row = cur.fetchone()
    return dict(zip(("usage_swing", "competitor_calls", "recent_spend"), row or (None,) * 3, strict=True))


def months(line, *firsts, **figures):
    for first in firsts:
        UsageSummaryFactory(line=line, month=first, **figures)


def test_last_month_never_sent_is_no_swing_and_no_spend_drop():
    line = LineFactory()
    months(line, date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), bill_amount=Decimal("90.00"))
    values = usage_values(line.customer_id)  # October was never sent
    assert values["usage_swing"] is None  # not 100 %
    assert values["recent_spend"] == Decimal("90")  # the months sent, not (90 + 90 + 0) / 3


def test_a_gap_before_last_month_averages_the_months_that_were_sent():
    line = LineFactory()
    months(line, date(2026, 7, 1), date(2026, 9, 1), voice_minutes=200)  # August unknown
    months(line, date(2026, 10, 1), voice_minutes=200)
    assert usage_values(line.customer_id)["usage_swing"] == Decimal("0.0")  # 200 vs 200, not vs 133


def test_competitor_calls_rise_is_unknown_without_a_baseline_and_counted_with_one():
    newcomer, regular = LineFactory(), LineFactory()
    months(newcomer, date(2026, 9, 1), date(2026, 10, 1), competitor_hotline_calls=2)
    months(regular, date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1), competitor_hotline_calls=0)
    months(regular, date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1), competitor_hotline_calls=1)
    assert usage_values(newcomer.customer_id)["competitor_calls"] is None
    assert usage_values(regular.customer_id)["competitor_calls"] == 3


def signal_values(customer_id: int, today: date) -> dict:
    params = {"lo": customer_id, "hi": customer_id + 1, **signals.window_params(today, cooldown_days=0)}
    with connection.cursor() as cur:
        cur.execute(f"WITH {signal_sql.values_cte()} SELECT agreement_expiring, complaints FROM signal_values", params)
        return dict(zip(("agreement_expiring", "complaints"), cur.fetchone(), strict=True))


def test_the_churn_scan_reads_the_customers_own_contract_and_complaints():
    from django.utils import timezone

    from customers import inputs

    line = LineFactory()
    inputs.contract_record(line=line, kind="one_year", starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1),
                           early_exit_fee=Decimal("100.00"))
    for n, day in enumerate((date(2026, 8, 1), date(2026, 11, 1), date(2026, 11, 20), date(2026, 11, 24))):
        inputs.care_contact_record(line=line, reference=f"T{n}", kind="complaint", channel="hotline", reason="网络差",
                                   outcome="unresolved",
                                   contacted_at=timezone.make_aware(datetime.combine(day, time(9))))
    values = signal_values(line.customer_id, TODAY)
    assert values == {"agreement_expiring": 38, "complaints": 2}  # 90 days before the scan day, not on it
