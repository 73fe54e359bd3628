"""Pure retention rules: each signal fires at its threshold and not just below it."""

from dataclasses import replace
from decimal import Decimal

import pytest

from retention import policies
from retention.choices import AlertStatus, Offer, Signal

DEFAULTS = policies.DEFAULT_SIGNALS


@pytest.mark.parametrize("code, below, at", [
    (Signal.SPEND_FALLING, 2, 3),
    (Signal.USAGE_SWING, 49, 50),
    (Signal.COMPETITOR_CALLS, 2, 3),
    (Signal.FREQUENT_ARREARS, 2, 3),
    (Signal.SECOND_DEVICE, 0, 1),
    (Signal.MEMBERS_LEAVING, 1, 2),
])
def test_signal_fires_at_threshold_not_below(code, below, at):
    signal = DEFAULTS[code]
    assert signal.fires(at) and signal.fires(at + 1)
    assert not signal.fires(below)


def test_agreement_expiring_fires_within_60_days():
    signal = DEFAULTS[Signal.AGREEMENT_EXPIRING]
    assert signal.fires(60) and signal.fires(10)
    assert not signal.fires(61)


@pytest.mark.parametrize("code", [Signal.BUSINESS_CANCELLATIONS])
def test_signals_without_data_are_noops_even_if_enabled(code):
    signal = replace(DEFAULTS[code], enabled=True)
    assert not signal.available and signal.note
    assert not signal.fires(10**6) and not signal.fires(0)


@pytest.mark.parametrize("code, below, at", [
    (Signal.BUSINESS_CANCELLATIONS, 0, 1), (Signal.COMPLAINTS, 1, 2),
])
def test_future_signals_have_thresholds_ready(code, below, at):
    signal = replace(DEFAULTS[code], enabled=True, available=True)
    assert signal.fires(at) and not signal.fires(below)


def test_disabled_signal_and_missing_value_never_fire():
    assert not replace(DEFAULTS[Signal.SPEND_FALLING], enabled=False).fires(12)
    assert not DEFAULTS[Signal.SPEND_FALLING].fires(None)


def test_admin_overrides_apply_but_cannot_make_a_noop_available():
    signals = policies.configured({"spend_falling": {"threshold": Decimal(4), "weight": 50, "enabled": True},
                                   "business_cancellations": {"enabled": True}, "complaints": {"enabled": True}})
    assert not signals[Signal.SPEND_FALLING].fires(3) and signals[Signal.SPEND_FALLING].fires(4)
    assert signals[Signal.SPEND_FALLING].weight == 50
    assert not signals[Signal.BUSINESS_CANCELLATIONS].fires(99)
    assert signals[Signal.COMPLAINTS].fires(2)  # care contacts came in (issue 13): off by default, on when set
    assert not DEFAULTS[Signal.COMPLAINTS].enabled


def test_score_is_the_capped_sum_of_fired_weights():
    fired = policies.fired_signals({"spend_falling": 3, "competitor_calls": 5, "usage_swing": 10})
    assert fired == {"spend_falling": 3, "competitor_calls": 5}
    assert policies.risk_score(fired) == 35 + 30
    everything = {"spend_falling": 12, "competitor_calls": 9, "usage_swing": 90, "frequent_arrears": 5,
                  "second_device": 1}
    assert policies.risk_score(policies.fired_signals(everything)) == 100
    assert policies.risk_score({}) == 0


def facts(spend="80", single=False, saturation="50"):
    return policies.OfferFacts(avg_spend=Decimal(spend), single_product=single, saturation=Decimal(saturation))


def test_topup_bonus_over_six_months_for_customers_who_spend():
    (offer,) = policies.suggest_offers(facts())
    assert offer == {"code": Offer.TOPUP_BONUS, "months": 6, "monthly_bonus": "8.00", "estimated_cost": "48.00"}
    assert policies.suggest_offers(facts(spend="29.99")) == []


@pytest.mark.parametrize("spend, pct", [("99.99", 40), ("100", 50)])
def test_deposit_and_get_for_single_product_users_40_to_50_percent(spend, pct):
    offers = {o["code"]: o for o in policies.suggest_offers(facts(spend=spend, single=True))}
    assert offers[Offer.DEPOSIT_AND_GET]["bonus_pct"] == pct and offers[Offer.DEPOSIT_AND_GET]["months"] == 12
    assert Offer.DEPOSIT_AND_GET not in {o["code"] for o in policies.suggest_offers(facts(spend=spend))}


@pytest.mark.parametrize("saturation, offered", [("89.99", False), ("90", True)])
def test_plan_upgrade_when_usage_saturates_the_plan(saturation, offered):
    codes = {o["code"] for o in policies.suggest_offers(facts(saturation=saturation))}
    assert (Offer.PLAN_UPGRADE in codes) is offered


@pytest.mark.parametrize("current, target", [
    ("open", "contacted"), ("open", "dismissed"), ("open", "churned"), ("contacted", "offer_made"),
    ("contacted", "retained"), ("offer_made", "retained"), ("offer_made", "churned"),
])
def test_allowed_transitions(current, target):
    assert policies.transition_errors(current=current, target=target, offer="topup_bonus", note="n") == {}


@pytest.mark.parametrize("current, target", [
    ("open", "offer_made"), ("open", "retained"), ("retained", "open"), ("churned", "contacted"),
    ("dismissed", "open"), ("offer_made", "contacted"),
])
def test_forbidden_transitions_name_the_status(current, target):
    assert set(policies.transition_errors(current=current, target=target, offer="x", note="n")) == {"status"}


def test_transition_field_rules():
    assert set(policies.transition_errors(current=AlertStatus.CONTACTED, target=AlertStatus.OFFER_MADE)) == {"offer"}
    assert set(policies.transition_errors(current="open", target="dismissed", note=" ")) == {"note"}
    assert set(policies.transition_errors(current="offer_made", target="retained",
                                          offer_cost=Decimal("-1"))) == {"offer_cost"}


@pytest.mark.parametrize("tenure, score, active, stage", [
    (5, 90, False, "exploration"), (6, 59, True, "formation"), (6, 60, True, "decline"), (30, 0, False, "decline"),
    (23, 0, True, "formation"), (24, 0, True, "stable"),
])
def test_lifecycle_stage(tenure, score, active, stage):
    assert policies.lifecycle_stage(tenure_months=tenure, score=score, active=active) == stage


def test_falling_spend_alone_means_decline():
    assert policies.lifecycle_stage(tenure_months=40, score=35, active=True, spend_falling=True) == "decline"


@pytest.mark.parametrize("score, points", [(59, 3), (60, 4), (100, 6)])
def test_incentive_points_grow_with_the_risk_retained(score, points):
    assert policies.incentive_points(score) == points
