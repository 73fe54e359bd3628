"""The nightly scan through its real SQL on small fixtures."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from arrears.models import Bill
from core.tasks import dispatch_run
from customers.models import Device
from retention import policies
from retention.batches import SCAN_KIND, scan_chunk
from retention.choices import AlertStatus, Offer
from retention.models import AlertEvent, ChurnScore, RetentionAlert, ScanSettings, SignalConfig
from retention.signals import window_params
from tests.enterprise.factories import AgreementFactory, EnterpriseAccountFactory, SnapshotFactory
from tests.factories import CustomerFactory
from tests.retention.conftest import FALLING_3, HOTLINE_RISING_3, PERIOD, SCAN_DAY, with_history

pytestmark = pytest.mark.django_db


def signals_of(customer) -> dict:
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)
    row = ChurnScore.objects.filter(customer=customer, scanned_on=SCAN_DAY).first()
    return row.signals if row else {}


@pytest.mark.parametrize("spend, fires", [
    ([100] * 10 + [90, 80], False), (FALLING_3, True),
    ([100] * 5 + [90, 80, 70, 60, 50] + [60, 50], False),  # an earlier fall does not count
    ([100] * 8 + [90, None, 80, 70], False),  # a missing month breaks the run
])
def test_spend_falling_three_months_in_a_row(spend, fires):
    assert ("spend_falling" in signals_of(with_history(spend=spend))) is fires


@pytest.mark.parametrize("last_voice, fires", [(299, False), (300, True), (100, True)])
def test_usage_swing_of_50_percent(last_voice, fires):
    assert ("usage_swing" in signals_of(with_history(voice=[200] * 11 + [last_voice]))) is fires


def test_no_usage_swing_for_a_newcomer():
    assert "usage_swing" not in signals_of(with_history(voice=[200] * 11 + [10], join_date=date(2026, 8, 1)))


@pytest.mark.parametrize("hotline, fires", [([0] * 9 + [1, 1, 0], False), (HOTLINE_RISING_3, True),
                                            ([1] * 12, False)])
def test_competitor_hotline_calls_rising(hotline, fires):
    assert ("competitor_calls" in signals_of(with_history(hotline=hotline))) is fires


@pytest.mark.parametrize("overdue, fires", [(2, False), (3, True)])
def test_frequent_arrears(overdue, fires):
    customer = with_history()
    line = customer.lines.get()
    for month in range(1, 5):
        unpaid = month <= overdue
        Bill.objects.create(line=line, customer=customer, period=date(2026, month, 1), amount=Decimal("50"),
                            due_date=date(2026, month, 20), paid_amount=Decimal("0" if unpaid else "50"))
    assert ("frequent_arrears" in signals_of(customer)) is fires


@pytest.mark.parametrize("started_days_ago, dual_sim, fires", [(10, True, True), (10, False, False),
                                                               (400, True, False)])
def test_recent_dual_sim_device(started_days_ago, dual_sim, fires):
    customer = with_history()
    Device.objects.create(customer=customer, brand="X", model="Y", price_band="mid", dual_sim=dual_sim,
                          started_on=SCAN_DAY - timedelta(days=started_days_ago))
    assert ("second_device" in signals_of(customer)) is fires


def member_of_an_enterprise():
    customer = with_history()
    account = EnterpriseAccountFactory()
    customer.lines.update(enterprise=account)
    return customer, account


@pytest.mark.parametrize("days_left, fires", [(60, True), (61, False), (0, True)])
def test_agreement_expiring_within_60_days(days_left, fires):
    customer, account = member_of_an_enterprise()
    AgreementFactory(account=account, expires_on=SCAN_DAY + timedelta(days=days_left))
    AgreementFactory(account=account, expires_on=SCAN_DAY - timedelta(days=1))  # ended: not "expiring"
    assert ("agreement_expiring" in signals_of(customer)) is fires


def test_no_agreement_signal_for_a_customer_outside_enterprises():
    customer = with_history()
    AgreementFactory(account=EnterpriseAccountFactory(), expires_on=SCAN_DAY + timedelta(days=5))
    assert "agreement_expiring" not in signals_of(customer)


@pytest.mark.parametrize("left, fires", [(1, False), (2, True)])
def test_members_leaving_the_customers_enterprise_last_month(left, fires):
    customer, account = member_of_an_enterprise()
    SnapshotFactory(account=account, month=date(2026, 10, 1), members_left=left)  # last complete month
    SnapshotFactory(account=account, month=date(2026, 9, 1), members_left=9)  # an older month does not count
    assert ("members_leaving" in signals_of(customer)) is fires


def test_signal_driven_customer_gets_an_alert_for_their_manager_and_a_quiet_one_does_not(org):
    am = org.am1
    risky = with_history(org.book[am.pk][0], spend=FALLING_3, hotline=HOTLINE_RISING_3)
    quiet = with_history(org.book[am.pk][1])
    run = dispatch_run(SCAN_KIND, PERIOD)
    run.refresh_from_db()
    assert run.status == "done" and run.rows_affected == 1
    alert = RetentionAlert.objects.get()
    assert alert.customer == risky and alert.account_manager == am and alert.status == AlertStatus.OPEN
    assert alert.score == 65 and alert.signals == {"spend_falling": 3, "competitor_calls": 3}
    assert {o["code"] for o in alert.suggested_offers} == {Offer.TOPUP_BONUS, Offer.DEPOSIT_AND_GET}
    assert not ChurnScore.objects.filter(customer=quiet).exists()
    assert AlertEvent.objects.get(alert=alert).to_status == AlertStatus.OPEN


def test_sql_offers_match_the_policy():
    customer = with_history(spend=FALLING_3, hotline=HOTLINE_RISING_3, saturation=[95] * 12)
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)
    alert = RetentionAlert.objects.get(customer=customer)
    avg6 = Decimal(sum(FALLING_3[-6:])) / 6
    expected = policies.suggest_offers(policies.OfferFacts(avg_spend=avg6, single_product=True,
                                                           saturation=Decimal(95)))
    assert alert.suggested_offers == expected


def test_rescanning_the_same_night_opens_no_duplicates():
    customer = with_history(spend=FALLING_3, hotline=HOTLINE_RISING_3)
    dispatch_run(SCAN_KIND, PERIOD)
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)  # even a forced re-run of the chunk
    dispatch_run(SCAN_KIND, (SCAN_DAY + timedelta(days=1)).isoformat())  # and the next night
    assert RetentionAlert.objects.filter(customer=customer).count() == 1
    assert ChurnScore.objects.filter(customer=customer, scanned_on=SCAN_DAY).count() == 1


@pytest.mark.parametrize("closed_days_ago, reopens", [(29, False), (31, True)])
def test_closed_alert_does_not_reopen_within_the_cooldown(closed_days_ago, reopens):
    customer = with_history(spend=FALLING_3, hotline=HOTLINE_RISING_3)
    closed_at = timezone.make_aware(timezone.datetime.combine(SCAN_DAY, timezone.datetime.min.time())
                                    - timedelta(days=closed_days_ago))
    RetentionAlert.objects.create(customer=customer, opened_at=closed_at, status=AlertStatus.DISMISSED, score=70,
                                  closed_at=closed_at)
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)
    assert RetentionAlert.objects.filter(customer=customer, closed_at__isnull=True).exists() is reopens


def test_threshold_weights_and_cooldown_come_from_the_admin_settings():
    customer = with_history(spend=FALLING_3)  # 35 points by default
    SignalConfig.objects.filter(code="spend_falling").update(weight=60)
    ScanSettings.objects.update(alert_threshold=60, cooldown_days=0)
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)
    assert RetentionAlert.objects.get(customer=customer).score == 60


def test_closed_customers_are_scored_but_not_alerted():
    customer = with_history(spend=FALLING_3, hotline=HOTLINE_RISING_3, status="closed")
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)
    assert ChurnScore.objects.get(customer=customer).score == 65
    assert not RetentionAlert.objects.exists()


@pytest.mark.parametrize("joined, risky, stage", [
    (date(2026, 6, 1), True, "exploration"), (date(2025, 1, 1), True, "decline"),
    (date(2025, 1, 1), False, "formation"), (date(2024, 11, 23), False, "stable"),
    (date(2020, 1, 1), "spend only", "decline"),
])
def test_scan_keeps_the_lifecycle_stage_current(joined, risky, stage):
    history = ({"spend": FALLING_3} if risky == "spend only" else
               {"spend": FALLING_3, "hotline": HOTLINE_RISING_3} if risky else {})
    customer = with_history(join_date=joined, lifecycle_stage="stable" if stage != "stable" else "decline", **history)
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)
    customer.refresh_from_db()
    assert customer.lifecycle_stage == stage


def test_usage_signals_are_cached_for_the_month_and_equal_the_computed_ones():
    from django.db import connection

    from retention.sql import signals
    from retention.models import UsageSignals

    customers = [with_history(spend=FALLING_3), with_history(voice=[200] * 11 + [320]),
                 with_history(hotline=HOTLINE_RISING_3), CustomerFactory()]  # the last without any usage
    lo, hi = min(c.pk for c in customers), max(c.pk for c in customers) + 1
    scan_chunk(lo, hi, SCAN_DAY)
    assert UsageSignals.objects.filter(customer__in=customers, month0=SCAN_DAY.replace(day=1)).count() == 4
    params = {"lo": lo, "hi": hi, **window_params(SCAN_DAY, cooldown_days=30)}
    columns = ", ".join(("c.id", *(f"u.{c}" for c in signals.USAGE_COLUMNS)))
    with connection.cursor() as cur:
        rows = {}
        for cached in (True, False):
            cur.execute(f"WITH {signals.values_cte(cached=cached)} SELECT {columns} FROM chunk c "
                        "LEFT JOIN usage u ON u.customer_id = c.id ORDER BY c.id", params)
            rows[cached] = cur.fetchall()
    assert rows[True] == rows[False] and len(rows[True]) == 4


def test_writing_usage_drops_the_cache_and_the_next_scan_sees_it():
    from retention.models import UsageSignals

    customer = with_history(spend=FALLING_3)
    assert "spend_falling" in signals_of(customer)
    last = customer.usage.order_by("-month").first()
    last.bill_amount = Decimal("95")  # 90 → 95: the fall is broken in the last month
    last.save()
    assert not UsageSignals.objects.filter(customer=customer).exists()  # the trigger dropped it
    ChurnScore.objects.filter(customer=customer).delete()  # a zero score is not stored: start the day afresh
    assert "spend_falling" not in signals_of(customer)
    assert UsageSignals.objects.get(customer=customer).spend_falling == 0


def test_a_new_month_recomputes_and_drops_the_old_months_rows():
    from retention.models import UsageSignals

    customer = with_history()
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY + timedelta(days=10))  # December
    assert list(UsageSignals.objects.filter(customer=customer).values_list("month0", flat=True)) == [
        date(2026, 12, 1)]
