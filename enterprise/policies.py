"""Pure rules of the enterprise capability: no ORM, no request (unit-tested without a database).

- the computed account class (003 §4.3 criticises the subjective A+/A/B/C/D/P classes: score revenue,
  members, products held, loyalty and credit instead);
- the on-site service day calendar (003 §4.1.1);
- the segmentation signals (002 §6.4) with their default thresholds.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_noop

from core.policies import MAX_SCAN_DAYS, WorkingCalendar

# ---------------------------------------------------------------- computed class

FACTORS = ("revenue", "members", "products", "loyalty", "credit")

# Version 1 of the class policy, seeded into the ClassPolicy table (admins publish new versions there).
# points(factor) = weight × min(value / full_at, 1); the score is the sum (0–100); the class is the first
# cut-off the score reaches.
DEFAULT_CLASS_POLICY = {
    "weights": {"revenue": 35, "members": 25, "products": 15, "loyalty": 10, "credit": 15},
    "full_at": {"revenue": 20000, "members": 200, "products": 4, "loyalty": 10, "credit": 5},
    "cutoffs": [["A+", 80], ["A", 65], ["B", 50], ["C", 35], ["D", 0]],
}
FACTOR_UNITS = {"revenue": "¥/month", "members": "lines", "products": "products", "loyalty": "years",
                "credit": "avg ★"}


@dataclass(frozen=True)
class ClassInputs:
    revenue: Decimal  # unified-billing revenue per month
    members: int  # active member lines
    products: int  # distinct products held
    loyalty: Decimal  # years as a customer
    credit: Decimal  # average credit star of the member lines' customers (0–5)


@dataclass(frozen=True)
class FactorPoints:
    factor: str
    value: Decimal
    full_at: Decimal
    weight: int
    points: Decimal


@dataclass(frozen=True)
class ClassResult:
    score: Decimal
    klass: str
    factors: tuple[FactorPoints, ...]

    def factors_json(self) -> dict:
        return {f.factor: {"value": str(f.value), "points": str(f.points), "weight": f.weight} for f in self.factors}


def validate_class_policy(policy: dict) -> list[str]:
    """Errors in a class policy (empty when it is usable): every factor weighted, weights sum to 100,
    cut-offs descending and ending at 0."""
    errors = []
    weights, full_at, cutoffs = policy.get("weights", {}), policy.get("full_at", {}), policy.get("cutoffs", [])
    for factor in FACTORS:
        if not isinstance(weights.get(factor), int) or weights[factor] < 0:
            errors.append(f"weights.{factor}: a whole number ≥ 0 is required")
        if not isinstance(full_at.get(factor), (int, float)) or full_at[factor] <= 0:
            errors.append(f"full_at.{factor}: a number > 0 is required")
    if not errors and sum(weights[f] for f in FACTORS) != 100:
        errors.append("weights: they must add up to 100")
    minimums = [c[1] for c in cutoffs if isinstance(c, (list, tuple)) and len(c) == 2]
    if not cutoffs or len(minimums) != len(cutoffs) or minimums != sorted(minimums, reverse=True) or minimums[-1] != 0:
        errors.append("cutoffs: [[class, minimum score], ...] from the highest down to a last minimum of 0")
    return errors


def score_class(inputs: ClassInputs, policy: dict) -> ClassResult:
    factors = []
    for factor in FACTORS:
        value = Decimal(str(getattr(inputs, factor)))
        full_at = Decimal(str(policy["full_at"][factor]))
        weight = int(policy["weights"][factor])
        share = min(max(value, Decimal(0)) / full_at, Decimal(1))
        points = (weight * share).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        factors.append(FactorPoints(factor, value, full_at, weight, points))
    score = sum((f.points for f in factors), Decimal("0.0"))
    klass = next(code for code, minimum in policy["cutoffs"] if score >= minimum)
    return ClassResult(score=score, klass=klass, factors=tuple(factors))


# ---------------------------------------------------------------- on-site service days (003 §4.1.1)
# Every working-day rule takes the working-day calendar (core.policies.WorkingCalendar: Monday–Friday less the
# holidays, plus the make-up working days), loaded by core.selectors.working_calendar().

LAST_SCHEDULABLE_DAY = 25  # "原则上每月 25 日后不安排服务进驻 … 统一与次月操作"
COLLECTION_WEEKDAYS = (1, 3)  # Tuesday, Thursday: the orders are e-mailed to the channel admins
VISIT_LOG_WORKING_DAYS = 3  # "集团服务进驻三个工作日内 … 录入 ESOP 上门服务日志"
MONTHLY_REPORT_DUE_DAY = 10  # "在次月 10 日前 … 以月报形式发送"
AFTER_25TH, NOT_WORKING = "after_25th", "not_working"  # why a service day moved


def first_working_day_of_next_month(day: date, calendar: WorkingCalendar) -> date:
    return calendar.working_day_on_or_after((day.replace(day=1) + timedelta(days=32)).replace(day=1))


@dataclass(frozen=True)
class ScheduledDate:
    requested: date
    scheduled: date
    moved: bool
    reason: str = ""  # AFTER_25TH or NOT_WORKING when moved


def schedule_service_day(requested: date, *, calendar: WorkingCalendar) -> ScheduledDate:
    """None scheduled after the 25th: such a request moves to the first working day of the next month (the
    source says only "next month"; its first working day is the earliest date that obeys it). A request for a
    day off (a weekend or holiday such as National Day) moves to the next working day, and to the next month
    when that day is after the 25th: the group's staff are not at work to meet the service team."""
    if requested.day > LAST_SCHEDULABLE_DAY:
        return ScheduledDate(requested, first_working_day_of_next_month(requested, calendar), True, AFTER_25TH)
    scheduled = calendar.working_day_on_or_after(requested)
    if scheduled.month != requested.month or scheduled.day > LAST_SCHEDULABLE_DAY:
        scheduled = first_working_day_of_next_month(requested, calendar)
    moved = scheduled != requested
    return ScheduledDate(requested, scheduled, moved, NOT_WORKING if moved else "")


def visit_log_deadline(service_day: date, *, calendar: WorkingCalendar) -> date:
    """The last day the visit may be logged: the 3rd working day after the service day (holidays skipped,
    make-up working days counted)."""
    return calendar.add_working_days(service_day, VISIT_LOG_WORKING_DAYS)


def visit_overdue(deadline: date, logged_on: date | None, today: date) -> bool:
    """Logged on or before the deadline: on time. Not logged: overdue once the deadline has passed."""
    return (logged_on or today) > deadline


def is_collection_day(day: date, *, calendar: WorkingCalendar) -> bool:
    """Tuesdays and Thursdays that are working days. A Tuesday or Thursday off (a holiday) moves its
    collection to the next working day, so orders never wait out a holiday week: the first working day after
    one or more days off collects when one of those days was a Tuesday or Thursday (after National Day
    2026 that is Thursday 8 October anyway; after 1 January 2026, a Thursday, it is Sunday 4 January, a
    make-up working day)."""
    if not calendar.is_working_day(day):
        return False
    if day.weekday() in COLLECTION_WEEKDAYS:
        return True
    previous = day - timedelta(days=1)
    while not calendar.is_working_day(previous):
        if previous.weekday() in COLLECTION_WEEKDAYS:
            return True
        previous -= timedelta(days=1)
    return False


def next_collection_day(day: date, *, calendar: WorkingCalendar) -> date:
    """The collection day on or after `day`."""
    for _ in range(MAX_SCAN_DAYS):
        if is_collection_day(day, calendar=calendar):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no collection day within a year of {day}")


def weekly_report_period(day: date) -> tuple[date, date]:
    """The Monday–Sunday week holding `day`."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def weekly_report_due(week_start: date, *, calendar: WorkingCalendar) -> date:
    """Due on the first working day after the week (its Monday, or later after a holiday)."""
    return calendar.add_working_days(week_start + timedelta(days=6), 1)


def monthly_report_due(month: date, *, calendar: WorkingCalendar) -> date:
    """A month's report is due "before the 10th of the next month" (003: 在次月 10 日前). When the 10th is not a
    working day the report is due on the last working day before it: moving the deadline later would break
    the source's "before", and the channel admin can plan for an earlier day."""
    tenth = (month.replace(day=1) + timedelta(days=32)).replace(day=MONTHLY_REPORT_DUE_DAY)
    return calendar.working_day_on_or_before(tenth)


def report_overdue(due: date, submitted_on: date | None, today: date) -> bool:
    return (submitted_on or today) > due


def due_date_on_working_day(due: date, *, calendar: WorkingCalendar) -> date | None:
    """None when a task may be due on `due`; otherwise the next working day, to suggest instead."""
    return None if calendar.is_working_day(due) else calendar.working_day_on_or_after(due)


# ---------------------------------------------------------------- segmentation signals (002 §6.4)


@dataclass(frozen=True)
class RuleDefinition:
    code: str
    segment: str
    direction: str  # "gte": fires when value ≥ threshold; "lte": when value ≤ threshold
    threshold: Decimal
    measures: str  # what the value is, shown in admin and on the account page
    alert: bool  # open an alert for the manager, or only tag the account


def _rule(code, segment, direction, threshold, measures, alert=True):
    return RuleDefinition(code, segment, direction, Decimal(threshold), measures, alert)


# Values come from the monthly enterprise snapshots (latest month = m0, the month before = m1 ...).
DEFAULT_RULES = {r.code: r for r in [
    _rule("competitor_customers", "develop", "gte", "20",
          gettext_noop("share of the group's lines on competitor networks, % (m0)")),
    _rule("high_value", "maintain", "gte", "50000", gettext_noop("unified-billing revenue of m0, ¥"), alert=False),
    _rule("stable", "maintain", "lte", "10", gettext_noop("revenue swing over m0..m5: (max − min) / average, %"),
          alert=False),
    _rule("returning_rising", "maintain", "gte", "3", gettext_noop("returning members m0 − m1")),
    _rule("agreement_expiring", "retain", "lte", "60",
          gettext_noop("days until the nearest agreement neither renewed nor ended expires (negative: lapsed)")),
    _rule("members_leaving", "retain", "gte", "5", gettext_noop("members who left in m0 / members, %")),
    _rule("cancellations_rising", "retain", "gte", "3", gettext_noop("business cancellations m0 − m1")),
    _rule("spend_falling", "retain", "gte", "3", gettext_noop("consecutive months of falling revenue up to m0")),
    _rule("competitor_hotline_rising", "retain", "gte", "5", gettext_noop("calls to competitor service m0 − m1")),
    _rule("personalised_rising", "upgrade", "gte", "2", gettext_noop("personalised requests m0 − m1")),
    _rule("headcount_rising", "upgrade", "gte", "10", gettext_noop("member growth m3 → m0, %")),
    _rule("spend_anomaly", "prevent", "gte", "50", gettext_noop("|revenue change m1 → m0|, %")),
    _rule("headcount_jump", "prevent", "gte", "30", gettext_noop("|member change m1 → m0|, %")),
    _rule("data_anomaly", "prevent", "gte", "1", gettext_noop("data anomalies found in m0")),
    _rule("frequent_changes", "prevent", "gte", "5", gettext_noop("business changes in m0")),
    _rule("complaints_rising", "prevent", "gte", "3", gettext_noop("complaints m0 − m1")),
    _rule("frequent_arrears", "prevent", "gte", "3", gettext_noop("months in arrears among m0..m5")),
]}


def rule_fires(direction: str, value: Decimal | None, threshold: Decimal) -> bool:
    if value is None:
        return False
    return value >= threshold if direction == "gte" else value <= threshold


# ---------------------------------------------------------------- KPIs


def rate(part, whole, digits: int = 1) -> Decimal | None:
    """part / whole in %, None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- account data kept by the managers (003 §4.3 第七)

AGREEMENT_EXPIRING_DAYS = 60  # the default threshold of the "agreement expiring" rule


def agreement_state(*, expires_on: date, today: date, renewed: bool, ended_on: date | None) -> str:
    """What an agreement is today: "renewed" (a renewal points at it), "ended" (the manager recorded that it ended
    without renewal, with a reason), "lapsed" (expired and neither: it keeps the expiring rule firing),
    "expiring" (within the rule's default 60 days) or "active"."""
    if renewed:
        return "renewed"
    if ended_on is not None:
        return "ended"
    if expires_on < today:
        return "lapsed"
    if (expires_on - today).days <= AGREEMENT_EXPIRING_DAYS:
        return "expiring"
    return "active"


def agreement_errors(*, signed_on: date, expires_on: date, renews_expires_on: date | None = None,
                     renews_signed_on: date | None = None, ended_on: date | None = None,
                     end_reason: str = "") -> dict[str, str]:
    """Field → message for an agreement that cannot be kept as typed (empty when it can)."""
    errors = {}
    if expires_on < signed_on:
        errors["expires_on"] = gettext_noop("An agreement expires after it is signed.")
    if renews_signed_on is not None and signed_on < renews_signed_on:
        errors["signed_on"] = gettext_noop("A renewal is signed after the agreement it renews.")
    if renews_expires_on is not None and expires_on <= renews_expires_on:
        errors["expires_on"] = gettext_noop("A renewal runs beyond the agreement it renews.")
    if ended_on is not None and not end_reason.strip():
        errors["end_reason"] = gettext_noop("Say why the agreement ended without renewal.")
    if ended_on is not None and ended_on < signed_on:
        errors["ended_on"] = gettext_noop("An agreement ends after it is signed.")
    return errors


# ---------------------------------------------------------------- opportunities (002 §7.1)

APPROVING_ROLES = frozenset({"team_lead", "admin"})
NEEDS_APPROVAL = gettext_noop("A development request goes ahead only with a team lead's approval: your lead "
                              "approves it by moving it on.")


def opportunity_move_refusal(*, kind: str, approved: bool, stage: str, role: str | None) -> str | None:
    """Why a move is refused (None: allowed). An unapproved development request may be withdrawn (lost) by
    anyone, moved on only by a lead (whose move approves it)."""
    if kind != "development_request" or approved or stage in ("identified", "lost"):
        return None
    return None if role in APPROVING_ROLES else NEEDS_APPROVAL


def approves(*, kind: str, approved: bool, stage: str, role: str | None) -> bool:
    """Whether this move is the lead's approval of a development request."""
    return kind == "development_request" and not approved and stage not in ("identified", "lost") \
        and role in APPROVING_ROLES


def month_start(day: date, back: int) -> date:
    """The first day of the month `back` months before `day`'s (negative: after)."""
    y, m = divmod(day.year * 12 + day.month - 1 - back, 12)
    return date(y, m + 1, 1)
