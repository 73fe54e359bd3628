"""Retention rules (DOMAIN.md §8, source 001). Pure Python: no ORM, no request.

A signal is a per-customer number computed in SQL (`retention.sql.signals`); it fires when the number
crosses its threshold. The churn-risk score is the sum of the weights of the fired signals, capped
at 100, so every score can be explained by the signals stored with it.
"""

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from retention.choices import AlertStatus, Offer, Signal

ALERT_THRESHOLD = 60  # default: a score at or above this opens an alert
COOLDOWN_DAYS = 30  # default: a closed alert does not reopen for this many days
AT_LEAST, AT_MOST = ">=", "<="


@dataclass(frozen=True)
class SignalDefinition:
    code: str
    threshold: Decimal
    weight: int
    enabled: bool = True
    direction: str = AT_LEAST
    available: bool = True  # False: no data source yet, the signal never fires
    note: str = ""

    def fires(self, value) -> bool:
        if not (self.enabled and self.available) or value is None:
            return False
        value = Decimal(str(value))
        return value >= self.threshold if self.direction == AT_LEAST else value <= self.threshold


def _d(code, threshold, weight, **kw) -> SignalDefinition:
    return SignalDefinition(code=code, threshold=Decimal(threshold), weight=weight, **kw)


DEFAULT_SIGNALS: dict[str, SignalDefinition] = {s.code: s for s in [
    _d(Signal.SPEND_FALLING, 3, 35),
    _d(Signal.USAGE_SWING, 50, 20),
    _d(Signal.COMPETITOR_CALLS, 3, 30),
    _d(Signal.AGREEMENT_EXPIRING, 60, 25, direction=AT_MOST,
       note="Days until the customer's own contract or their enterprise account's earliest running agreement "
            "expires."),
    _d(Signal.FREQUENT_ARREARS, 3, 15),
    _d(Signal.SECOND_DEVICE, 1, 20),
    _d(Signal.MEMBERS_LEAVING, 2, 20,
       note="Members who left the customer's enterprise account last month (its monthly snapshot)."),
    _d(Signal.BUSINESS_CANCELLATIONS, 1, 25, enabled=False, available=False,
       note="No business-cancellation events yet; noop."),
    _d(Signal.COMPLAINTS, 2, 20, enabled=False,
       note="Complaints to customer care in the 90 days before the scan (care-contact intake); off until an "
            "administrator weighs it."),
]}


def configured(overrides: dict[str, dict]) -> dict[str, SignalDefinition]:
    """Defaults with the admin's values (enabled, threshold, weight) applied; availability is code's."""
    result = dict(DEFAULT_SIGNALS)
    for code, values in overrides.items():
        if code in result:
            result[code] = replace(result[code], **{k: v for k, v in values.items()
                                                    if k in {"enabled", "threshold", "weight"}})
    return result


def fired_signals(values: dict, signals: dict[str, SignalDefinition] = DEFAULT_SIGNALS) -> dict:
    """{code: value} of the signals that fire for one customer's values."""
    return {code: values.get(code) for code, s in signals.items() if s.fires(values.get(code))}


def risk_score(fired: dict, signals: dict[str, SignalDefinition] = DEFAULT_SIGNALS) -> int:
    return min(100, sum(signals[code].weight for code in fired))


# Lifecycle stage (source 001), derived nightly: newcomers explore, then form, then are stable,
# unless they decline (spend falling, an alert-level score, or a line no longer fully active).
EXPLORATION_MONTHS, FORMATION_MONTHS = 6, 24


def lifecycle_stage(*, tenure_months: int, score: int, active: bool, spend_falling: bool = False,
                    alert_threshold: int = ALERT_THRESHOLD) -> str:
    if tenure_months < EXPLORATION_MONTHS:
        return "exploration"
    if spend_falling or score >= alert_threshold or not active:
        return "decline"
    return "formation" if tenure_months < FORMATION_MONTHS else "stable"


# Offers (source 001): which rule suggests which offer, and its estimated cost.
SATURATION_FOR_UPGRADE = Decimal(90)  # % of plan used, average of the last 3 months
TOPUP_MIN_SPEND = Decimal(30)  # CNY/month: below this a top-up bonus is not worth offering
TOPUP_MONTHS, TOPUP_BONUS_SHARE = 6, Decimal("0.10")
DEPOSIT_MONTHS, DEPOSIT_HIGH_VALUE_SPEND = 12, Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class OfferFacts:
    avg_spend: Decimal  # last 6 months
    single_product: bool  # one line and no bundled broadband
    saturation: Decimal  # average plan saturation %, last 3 months
    target_plan: dict | None = None  # the next plan up: {"code", "name", "monthly_fee"} (plan optimisation)


def suggest_offers(facts: OfferFacts) -> list[dict]:
    """The offers a manager may make, with terms and estimated cost (CNY); kept in step with `offers_sql`."""
    offers = []
    spend = facts.avg_spend
    if spend >= TOPUP_MIN_SPEND:
        monthly = (spend * TOPUP_BONUS_SHARE).quantize(CENT, ROUND_HALF_UP)
        offers.append({"code": Offer.TOPUP_BONUS.value, "months": TOPUP_MONTHS, "monthly_bonus": str(monthly),
                       "estimated_cost": str(monthly * TOPUP_MONTHS)})
    if facts.single_product:
        pct = 50 if spend >= DEPOSIT_HIGH_VALUE_SPEND else 40
        monthly = (spend * pct / 100).quantize(CENT, ROUND_HALF_UP)
        offers.append({"code": Offer.DEPOSIT_AND_GET.value, "months": DEPOSIT_MONTHS, "bonus_pct": pct,
                       "monthly_bonus": str(monthly), "estimated_cost": str(monthly * DEPOSIT_MONTHS)})
    if facts.saturation >= SATURATION_FOR_UPGRADE:
        offer = {"code": Offer.PLAN_UPGRADE.value, "estimated_cost": "0.00"}
        if facts.target_plan:  # "套餐优化升级" names the plan to move to
            offer.update(target_plan=facts.target_plan["code"], target_plan_name=facts.target_plan["name"],
                         target_fee=str(facts.target_plan["monthly_fee"]))
        offers.append(offer)
    return offers


# How long an accepted offer keeps paying out after the customer is retained: while it does, the customer holds a
# running retention offer (the over-marketing overlap counts it). A plan optimisation is a plan change, not a
# payout: it runs only while offered.
OFFER_MONTHS = {Offer.TOPUP_BONUS.value: TOPUP_MONTHS, Offer.DEPOSIT_AND_GET.value: DEPOSIT_MONTHS}


# Incentive points (source 001): a retained customer earns the manager more the riskier it was.
POINTS_BASE, POINTS_PER_RISK = 1, 20  # 1 point, plus 1 per 20 points of risk score (60 → 4, 100 → 6)


def incentive_points(score: int) -> int:
    return POINTS_BASE + score // POINTS_PER_RISK


# Retention verified (issue 16): "retained" is confirmed when the customer still has an open line N days after
# (ScanSettings.retained_check_days, default 90), and reverts to churned otherwise. Points are credited only on
# confirmation: the risk points above for keeping a high-risk customer, and VALUE_POINTS when the customer's
# spend went up (001: 保有高危客户与提升存量客户价值的积分): average billed per month over the 3 periods after the
# retention above the 3 before.
RETAINED_CHECK_DAYS = 90
VALUE_POINTS = 2
VALUE_WINDOW_MONTHS = 3


def verified_points(*, line_open: bool, score: int, spend_before: Decimal | None,
                    spend_after: Decimal | None) -> tuple[str, int, int]:
    """(verification, risk points, value points) of a retained alert at its check day."""
    if not line_open:
        return "reverted", 0, 0
    raised = spend_before is not None and spend_after is not None and spend_after > spend_before
    return "confirmed", incentive_points(score), VALUE_POINTS if raised else 0


# Alert lifecycle: open → contacted → offer made → retained / churned / dismissed.
CLOSED_STATUSES = frozenset({AlertStatus.RETAINED, AlertStatus.CHURNED, AlertStatus.DISMISSED})
TRANSITIONS: dict[str, frozenset] = {
    AlertStatus.OPEN: frozenset({AlertStatus.CONTACTED, AlertStatus.CHURNED, AlertStatus.DISMISSED}),
    AlertStatus.CONTACTED: frozenset({AlertStatus.OFFER_MADE, AlertStatus.RETAINED, AlertStatus.CHURNED,
                                      AlertStatus.DISMISSED}),
    AlertStatus.OFFER_MADE: frozenset({AlertStatus.RETAINED, AlertStatus.CHURNED, AlertStatus.DISMISSED}),
}

ERR_TRANSITION = _("An alert cannot go from %(from)s to %(to)s.")
ERR_OFFER_REQUIRED = _("Say which offer was made.")
ERR_COST_NEGATIVE = _("An offer cost cannot be negative.")
ERR_NOTE_REQUIRED = _("Give a note on why the alert is dismissed.")


def transition_errors(*, current: str, target: str, offer: str = "", offer_cost: Decimal | None = None,
                      note: str = "") -> dict[str, str]:
    """{field: message} of the rules a transition breaks; empty when it is allowed."""
    if target not in TRANSITIONS.get(current, ()):
        return {"status": ERR_TRANSITION % {"from": current, "to": target}}
    errors = {}
    if target == AlertStatus.OFFER_MADE and not offer:
        errors["offer"] = ERR_OFFER_REQUIRED
    if offer_cost is not None and offer_cost < 0:
        errors["offer_cost"] = ERR_COST_NEGATIVE
    if target == AlertStatus.DISMISSED and not note.strip():
        errors["note"] = ERR_NOTE_REQUIRED
    return errors


# Alert threshold of the learned model (#15): chosen by the managers' capacity or by expected value, and shown.
ALERTS_PER_MANAGER_WEEK = 10  # default capacity: alerts a manager can work in a week
CAPACITY, EXPECTED_VALUE = "capacity", "expected_value"


def capacity_alerts(*, managers: int, per_manager_week: int, days: int) -> int:
    """How many alerts the managers can work in `days` (at least one)."""
    return max(1, int(managers * per_manager_week * days / 7))


def capacity_threshold(probabilities, alerts: int) -> float:
    """The probability at which the `alerts` riskiest customers are alerted (ties may add a few)."""
    ranked = sorted((float(p) for p in probabilities), reverse=True)
    if not ranked:
        return 1.0
    return ranked[min(alerts, len(ranked)) - 1]


def expected_value_threshold(*, customer_value: Decimal, offer_cost: Decimal, save_rate: Decimal) -> float:
    """Alert when p × save rate × customer value exceeds the offer's cost: p ≥ cost / (save rate × value)."""
    gain = save_rate * customer_value
    return 1.0 if gain <= 0 else min(1.0, float(offer_cost / gain))
