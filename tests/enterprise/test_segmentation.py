"""Each segmentation rule (002 §6.4) fires just past its default threshold and not just short of it.

Snapshots: m0 = November 2026 (the last complete month before TODAY), m1 = October, … m5 = June.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from enterprise import policies
from enterprise.batches import segment_chunk, segment_in_process
from enterprise.models import EnterpriseAlert, SegmentRule, SegmentTag
from tests.enterprise.conftest import TODAY
from tests.enterprise.factories import AgreementFactory, SnapshotFactory

pytestmark = pytest.mark.django_db


def month(age: int) -> date:
    return date(2026, 11 - age, 1)


def snaps(account, rows: dict[int, dict]):
    for age, fields in rows.items():
        SnapshotFactory(account=account, month=month(age), **fields)


# rule code → (builder(account, fires: bool)); each builds data just past / just short of the default threshold
def b_competitor(a, fires):  # ≥ 20 %: 25 of 125 lines = 20.0 %, 24 of 124 ≈ 19.4 %
    snaps(a, {0: {"member_count": 100 if fires else 100, "competitor_lines": 25 if fires else 24}})


def b_high_value(a, fires):  # ≥ ¥50,000
    snaps(a, {0: {"revenue": Decimal("50000.00") if fires else Decimal("49999.99")}})


def b_stable_exact(a, fires):
    # avg 1000 exactly: values 950, 1050 and four of 1000 → swing 10.0 % (fires at ≤ 10); 949/1051 → 10.2 %
    lo, hi = (Decimal("950"), Decimal("1050")) if fires else (Decimal("949"), Decimal("1051"))
    snaps(a, {0: {"revenue": hi}, 1: {"revenue": lo}, **{age: {"revenue": Decimal("1000")} for age in range(2, 6)}})


def b_returning(a, fires):  # m0 − m1 ≥ 3
    snaps(a, {0: {"returning_members": 5 if fires else 4}, 1: {"returning_members": 2}})


def b_agreement(a, fires):  # ≤ 60 days
    snaps(a, {0: {}})
    AgreementFactory(account=a, expires_on=TODAY + timedelta(days=60 if fires else 61))


def b_members_leaving(a, fires):  # ≥ 5 % of members
    snaps(a, {0: {"member_count": 100, "members_left": 5 if fires else 4}})


def b_cancellations(a, fires):  # m0 − m1 ≥ 3
    snaps(a, {0: {"cancellations": 4 if fires else 3}, 1: {"cancellations": 1}})


def b_spend_falling(a, fires):  # ≥ 3 consecutive months of falling revenue up to m0
    revenue = [700, 800, 900, 1000, 1000, 1000] if fires else [700, 800, 900, 900, 1000, 1000]
    snaps(a, {age: {"revenue": Decimal(r)} for age, r in enumerate(revenue)})


def b_hotline(a, fires):  # m0 − m1 ≥ 5
    snaps(a, {0: {"competitor_hotline_calls": 6 if fires else 5}, 1: {"competitor_hotline_calls": 1}})


def b_personalised(a, fires):  # m0 − m1 ≥ 2
    snaps(a, {0: {"personalised_requests": 3 if fires else 2}, 1: {"personalised_requests": 1}})


def b_headcount_rising(a, fires):  # m3 → m0 ≥ 10 %
    snaps(a, {0: {"member_count": 110 if fires else 109}, 1: {"member_count": 105}, 3: {"member_count": 100}})


def b_spend_anomaly(a, fires):  # |m1 → m0| ≥ 50 %
    snaps(a, {0: {"revenue": Decimal("1500") if fires else Decimal("1499")}, 1: {"revenue": Decimal("1000")}})


def b_headcount_jump(a, fires):  # |m1 → m0| ≥ 30 %
    snaps(a, {0: {"member_count": 70 if fires else 71}, 1: {"member_count": 100}})


def b_data_anomaly(a, fires):  # ≥ 1
    snaps(a, {0: {"data_anomalies": 1 if fires else 0}})


def b_changes(a, fires):  # ≥ 5 in m0
    snaps(a, {0: {"business_changes": 5 if fires else 4}})


def b_complaints(a, fires):  # m0 − m1 ≥ 3
    snaps(a, {0: {"complaints": 5 if fires else 4}, 1: {"complaints": 2}})


def b_arrears(a, fires):  # ≥ 3 months in arrears among m0..m5
    owed = [1, 0, 1, 0, 1, 0] if fires else [1, 0, 1, 0, 0, 0]
    snaps(a, {age: {"arrears_amount": Decimal(100 * o)} for age, o in enumerate(owed)})


BUILDERS = {
    "competitor_customers": b_competitor, "high_value": b_high_value, "stable": b_stable_exact,
    "returning_rising": b_returning, "agreement_expiring": b_agreement, "members_leaving": b_members_leaving,
    "cancellations_rising": b_cancellations, "spend_falling": b_spend_falling,
    "competitor_hotline_rising": b_hotline, "personalised_rising": b_personalised,
    "headcount_rising": b_headcount_rising, "spend_anomaly": b_spend_anomaly, "headcount_jump": b_headcount_jump,
    "data_anomaly": b_data_anomaly, "frequent_changes": b_changes, "complaints_rising": b_complaints,
    "frequent_arrears": b_arrears,
}


def test_every_rule_has_a_threshold_test():
    assert set(BUILDERS) == set(policies.DEFAULT_RULES) == set(SegmentRule.objects.values_list("code", flat=True))


def fired_codes(account) -> set[str]:
    segment_chunk(account.pk, account.pk + 1, TODAY)
    return set(SegmentTag.objects.filter(account=account, evaluated_on=TODAY).values_list("code", flat=True))


@pytest.mark.parametrize("code", sorted(BUILDERS))
def test_rule_fires_past_its_threshold(ent, code):
    BUILDERS[code](ent.acc1, True)
    assert code in fired_codes(ent.acc1)
    alerts = EnterpriseAlert.objects.filter(account=ent.acc1, code=code)
    if policies.DEFAULT_RULES[code].alert:
        alert = alerts.get()
        assert alert.account_manager == ent.am1 and alert.segment == policies.DEFAULT_RULES[code].segment
    else:  # maintain-segment tags (high value, stable) need no action: tagged, not alerted
        assert not alerts.exists()


@pytest.mark.parametrize("code", sorted(BUILDERS))
def test_rule_does_not_fire_short_of_its_threshold(ent, code):
    BUILDERS[code](ent.acc1, False)
    assert code not in fired_codes(ent.acc1)
    assert not EnterpriseAlert.objects.filter(account=ent.acc1, code=code).exists()


def test_thresholds_are_data_and_rules_can_be_disabled(ent):
    b_members_leaving(ent.acc1, False)  # 4 % left
    SegmentRule.objects.filter(code="members_leaving").update(threshold=Decimal("4"))
    assert "members_leaving" in fired_codes(ent.acc1)
    SegmentTag.objects.all().delete()
    SegmentRule.objects.filter(code="members_leaving").update(enabled=False)
    assert "members_leaving" not in fired_codes(ent.acc1)


def test_nightly_run_is_set_based_apply_once_and_keeps_one_open_alert(ent):
    b_members_leaving(ent.acc1, True)
    b_members_leaving(ent.acc4, True)
    assert segment_in_process(TODAY) == 2  # one alert per account
    assert segment_in_process(TODAY) == 2  # the same run: nothing applied twice
    segment_in_process(TODAY + timedelta(days=1))  # next night: still one open alert per account and signal
    assert EnterpriseAlert.objects.filter(code="members_leaving", status="open").count() == 2
    assert EnterpriseAlert.objects.get(account=ent.acc4, code="members_leaving").account_manager == ent.am4
