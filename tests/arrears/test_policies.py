"""The barring state machine and late fees with the spec's numbers (DOMAIN.md §5), no database."""

from decimal import Decimal

import pytest

from arrears import policies
from arrears.choices import BarringState as S
from arrears.policies import LineFacts, late_fee, next_state, reminder_threshold


def facts(state=S.ACTIVE, usable="50.00", limit="100.00", star=3, days_in_arrears=0, days_in_state=0, exempt=False):
    return LineFacts(state=state, usable=Decimal(usable), limit=Decimal(limit), star=star,
                     days_in_arrears=days_in_arrears, days_in_state=days_in_state, exempt=exempt)


@pytest.mark.parametrize("limit, threshold", [("100.00", "20.00"), ("300.00", "60.00"), ("20.00", "5.00"),
                                              ("10.00", "5.00"), ("0.00", "5.00")])
def test_reminder_threshold_is_20_percent_of_the_limit_and_at_least_5(limit, threshold):
    assert reminder_threshold(Decimal(limit)) == Decimal(threshold)


@pytest.mark.parametrize("usable, expected", [("19.99", (S.REMINDED, "low_credit")), ("20.00", (S.ACTIVE, ""))])
def test_reminder_below_20_percent(usable, expected):
    assert next_state(facts(usable=usable)) == expected


@pytest.mark.parametrize("usable, expected", [("-0.01", S.ONE_WAY), ("0.00", S.REMINDED)])
def test_one_way_barring_when_usable_credit_falls_below_zero(usable, expected):
    assert next_state(facts(usable=usable))[0] == expected
    assert next_state(facts(state=S.REMINDED, usable=usable))[0] == (S.ONE_WAY if expected == S.ONE_WAY
                                                                      else S.REMINDED)


@pytest.mark.parametrize("days, expected", [(29, S.ONE_WAY), (30, S.TWO_WAY)])
def test_two_way_barring_after_30_days_in_arrears(days, expected):
    assert next_state(facts(state=S.ONE_WAY, usable="-10.00", days_in_arrears=days))[0] == expected


@pytest.mark.parametrize("star, keeps_days", [(5, 120), (4, 120), (3, 90), (2, 90), (1, 90), (0, 90), (None, 90)])
def test_number_retention_after_two_way_barring_by_star(star, keeps_days):
    kept = facts(state=S.TWO_WAY, usable="-10.00", star=star, days_in_arrears=200, days_in_state=keeps_days - 1)
    assert next_state(kept) == (S.TWO_WAY, "")
    gone = facts(state=S.TWO_WAY, usable="-10.00", star=star, days_in_arrears=200, days_in_state=keeps_days)
    assert next_state(gone) == (S.CLOSED, "retention_expired")


@pytest.mark.parametrize("state", [S.ONE_WAY, S.TWO_WAY, S.RETENTION])
def test_paying_back_to_zero_restores(state):
    assert next_state(facts(state=state, usable="0.00", days_in_state=500)) == (S.ACTIVE, "paid_back")


def test_closed_is_final():
    assert next_state(facts(state=S.CLOSED, usable="100.00")) == (S.CLOSED, "")


def test_an_exempt_line_is_dunned_but_not_barred():
    assert next_state(facts(usable="-50.00", exempt=True)) == (S.REMINDED, "low_credit")
    assert next_state(facts(state=S.ONE_WAY, usable="-50.00", days_in_arrears=45, exempt=True))[0] == S.ONE_WAY


@pytest.mark.parametrize("overdue, fee", [("100.00", "0.30"), ("33.33", "0.10"), ("1.00", "0.00"), ("0", "0.00"),
                                          ("1000.00", "3.00")])
def test_late_fee_is_0_3_percent_a_day_of_the_overdue_amount(overdue, fee):
    assert late_fee(Decimal(overdue)) == Decimal(fee)


def test_late_fee_waived_by_policy_for_a_star():
    policy = policies.BarringPolicy(version=2, late_fee_waived_stars=(4, 5))
    assert late_fee(Decimal("100.00"), policy, star=5) == Decimal("0.00")
    assert late_fee(Decimal("100.00"), policy, star=3) == Decimal("0.30")


def test_policy_round_trips_through_its_stored_config():
    policy = policies.BarringPolicy(version=3, two_way_after_days=45, late_fee_waived_stars=(5,))
    assert policies.BarringPolicy.from_config(3, policy.config()) == policy


@pytest.mark.parametrize("days, rule", [(-1, "exemption_past"), (0, None), (365, None), (366, "exemption_max_days")])
def test_an_exemption_ends_within_the_policy_maximum(days, rule):
    from datetime import date, timedelta

    today = date(2026, 12, 1)
    assert policies.exemption_refusal(until=today + timedelta(days=days), today=today) == rule


def test_the_exemption_maximum_is_a_policy_value():
    from datetime import date

    policy = policies.BarringPolicy.from_config(2, {"exemption_max_days": 30})
    assert policy.config()["exemption_max_days"] == 30
    assert policies.exemption_refusal(until=date(2027, 1, 1), today=date(2026, 12, 1), policy=policy) == (
        "exemption_max_days")
    assert policies.BarringPolicy.from_config(1, {}).exemption_max_days == 365  # v1 rows predate the key
