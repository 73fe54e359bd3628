"""The barring policy as data and its pure state machine (no ORM): the nightly SQL and the real-time
payment path both follow these rules; tests exercise them with the spec's numbers.

States: active → reminded → one-way barred → two-way barred (the number is kept: the retention period)
→ closed. `in_retention` is accepted for lines billing reports that way and behaves as two-way barred.
Defaults (DOMAIN.md §5): reminder when usable credit < 20% of the limit (at least 5 CNY); one-way
barring when usable credit < 0; two-way after 30 days in arrears; number retention 120 days for
4★/5★ and 90 otherwise (credit policy table), counted from two-way barring; then closure, a blacklist
entry and hand-off to collection. A payment that brings usable credit back to ≥ 0 restores service.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from arrears.choices import BarringState as S
from credit.policies import star_policy

CENT = Decimal("0.01")
BARRED = (S.ONE_WAY, S.TWO_WAY, S.RETENTION)


@dataclass(frozen=True)
class BarringPolicy:
    version: int = 1
    reminder_ratio: Decimal = Decimal("0.20")  # of the credit limit
    reminder_minimum: Decimal = Decimal("5.00")  # CNY: the threshold is never below this
    two_way_after_days: int = 30  # in arrears
    late_fee_rate: Decimal = Decimal("0.003")  # per day of the overdue amount
    late_fee_waived_stars: tuple[int, ...] = field(default_factory=tuple)  # e.g. (5,) waives 5★ customers
    emergency_days: int = 7  # an emergency-continuity pass suspends barring this long
    retention_notice_days: int = 7  # the retention-deadline SMS goes this many days before closure
    emergency_per_month: int = 1
    exemption_max_days: int = 365  # a credit officer's exemption from barring ends within this many days
    # Rules a bill, payment or usage post applies at once (issue 20); the others wait for the nightly run. By
    # default those that follow from money alone; the day-counting ones (30 days, retention) stay nightly.
    immediate_rules: tuple[str, ...] = ("paid_back", "usable_below_zero", "low_credit", "credit_recovered")

    @property
    def label(self) -> str:
        return f"barring-v{self.version}"

    @classmethod
    def from_config(cls, version: int, config: dict) -> "BarringPolicy":
        return cls(version=version,
                   reminder_ratio=Decimal(str(config.get("reminder_ratio", "0.20"))),
                   reminder_minimum=Decimal(str(config.get("reminder_minimum", "5.00"))),
                   two_way_after_days=int(config.get("two_way_after_days", 30)),
                   late_fee_rate=Decimal(str(config.get("late_fee_rate", "0.003"))),
                   late_fee_waived_stars=tuple(int(s) for s in config.get("late_fee_waived_stars", ())),
                   emergency_days=int(config.get("emergency_days", 7)),
                   emergency_per_month=int(config.get("emergency_per_month", 1)),
                   retention_notice_days=int(config.get("retention_notice_days", 7)),
                   exemption_max_days=int(config.get("exemption_max_days", 365)),
                   immediate_rules=tuple(config.get("immediate_rules", cls.immediate_rules)))

    def config(self) -> dict:
        return {"reminder_ratio": str(self.reminder_ratio), "reminder_minimum": str(self.reminder_minimum),
                "two_way_after_days": self.two_way_after_days, "late_fee_rate": str(self.late_fee_rate),
                "late_fee_waived_stars": list(self.late_fee_waived_stars), "emergency_days": self.emergency_days,
                "emergency_per_month": self.emergency_per_month, "retention_notice_days": self.retention_notice_days,
                "exemption_max_days": self.exemption_max_days, "immediate_rules": list(self.immediate_rules)}


DEFAULT_POLICY = BarringPolicy()


def reminder_threshold(limit: Decimal, policy: BarringPolicy = DEFAULT_POLICY) -> Decimal:
    """Usable credit below this gets the reminder SMS: 20% of the limit, at least 5 CNY."""
    return max((limit * policy.reminder_ratio).quantize(CENT, ROUND_HALF_UP), policy.reminder_minimum)


def exemption_refusal(*, until: date, today: date, policy: BarringPolicy = DEFAULT_POLICY) -> str | None:
    """The rule an exemption's end date breaks, or None: it ends today at the earliest and within the policy's
    maximum (no exemption without an end)."""
    if until < today:
        return "exemption_past"
    if until > today + timedelta(days=policy.exemption_max_days):
        return "exemption_max_days"
    return None


def retention_days(star: int | None) -> int:
    return star_policy(star).retention_days


@dataclass(frozen=True)
class LineFacts:
    """What the decision needs to know about one line on the evaluation day."""

    state: str
    usable: Decimal  # balance + credit limit
    limit: Decimal
    star: int | None
    days_in_arrears: int  # since the oldest unpaid bill fell due (else since usable credit fell below 0); 0 if not
    days_in_state: int
    exempt: bool = False  # a credit officer's exemption or an emergency-continuity pass: not barred


# (from states, to state, rule code) in the order they are tried; the first whose condition holds wins.
TRANSITIONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    ((S.ONE_WAY, S.TWO_WAY, S.RETENTION), S.ACTIVE, "paid_back"),
    ((S.TWO_WAY, S.RETENTION), S.CLOSED, "retention_expired"),
    # by date, not by run count: a line found 30+ days in arrears (its oldest unpaid bill fell due 30+ days ago)
    # is two-way barred that night, even on its first night or after a gap
    ((S.ACTIVE, S.REMINDED, S.ONE_WAY), S.TWO_WAY, "arrears_30_days"),
    ((S.ACTIVE, S.REMINDED), S.ONE_WAY, "usable_below_zero"),
    ((S.ACTIVE,), S.REMINDED, "low_credit"),
    ((S.REMINDED,), S.ACTIVE, "credit_recovered"),
)


def _holds(rule: str, f: LineFacts, policy: BarringPolicy) -> bool:
    threshold = reminder_threshold(f.limit, policy)
    return {
        "retention_expired": f.days_in_state >= retention_days(f.star),
        "paid_back": f.usable >= 0,
        "arrears_30_days": not f.exempt and f.usable < 0 and f.days_in_arrears >= policy.two_way_after_days,
        "usable_below_zero": not f.exempt and f.usable < 0,
        "low_credit": f.usable < threshold,
        "credit_recovered": f.usable >= threshold,
    }[rule]


# Bounds of the settings a credit officer edits in a draft version (issue 18): (field, lowest, highest).
BARRING_BOUNDS = (
    ("reminder_ratio", Decimal("0.01"), Decimal("1.00")),
    ("reminder_minimum", Decimal("0.00"), Decimal("1000.00")),
    ("two_way_after_days", 1, 365),
    ("late_fee_rate", Decimal("0.0000"), Decimal("0.0500")),
    ("emergency_days", 1, 90),
    ("emergency_per_month", 0, 31),
    ("retention_notice_days", 0, 60),
    ("exemption_max_days", 1, 3650),
)


def barring_policy_problems(policy: "BarringPolicy") -> list[tuple[str, str, dict]]:
    """What is wrong with a draft's settings, as (field, code, params); [] when it can be saved and published.
    Waived stars are 0..5; immediate rules are rules of the state machine (TRANSITIONS)."""
    problems = [(name, "out_of_range", {"low": low, "high": high}) for name, low, high in BARRING_BOUNDS
                if not low <= getattr(policy, name) <= high]
    if any(star not in range(6) for star in policy.late_fee_waived_stars):
        problems.append(("late_fee_waived_stars", "unknown_star", {}))
    known = {rule for _sources, _target, rule in TRANSITIONS}
    unknown = [rule for rule in policy.immediate_rules if rule not in known]
    if unknown:
        problems.append(("immediate_rules", "unknown_rule", {"rules": ", ".join(unknown)}))
    return problems


def next_state(f: LineFacts, policy: BarringPolicy = DEFAULT_POLICY) -> tuple[str, str]:
    """(new state, rule that fired); (same state, "") when nothing applies. Closed is final."""
    for sources, target, rule in TRANSITIONS:
        if f.state in sources and _holds(rule, f, policy):
            return target, rule
    return f.state, ""


# The transitions billing must act on, as decision events (issue 20): to state -> kind; a barred line made active
# again is "restored"; reminders (active <-> reminded) change nothing in the network and send no event.
EVENT_KIND_FOR = {S.ONE_WAY: "barred_one_way", S.TWO_WAY: "barred_two_way", S.RETENTION: "barred_two_way",
                  S.CLOSED: "closed"}


def event_kind(from_state: str, to_state: str) -> str | None:
    if to_state in (S.ACTIVE, S.REMINDED):
        return "restored" if from_state in BARRED else None
    return EVENT_KIND_FOR.get(to_state)


# The SMS a move sends and the amount it names. A reminder names what the customer can still use ("可用额度仅剩
# {amount}元", low_credit) while usable credit is not yet negative, and what they owe beyond it only when it is
# (an exempt line reminded below zero: "您已欠费{amount}元"); a barring names what is owed beyond usable credit;
# leaving a barred state for active or reminded is "restored"; a reminder lifted (reminded -> active) sends nothing.
def barring_sms(from_state: str, to_state: str, usable: Decimal) -> tuple[str | None, Decimal]:
    if to_state in (S.ACTIVE, S.REMINDED) and from_state in BARRED:
        return "restored", Decimal(0)
    if to_state == S.REMINDED:
        return ("low_credit", usable) if usable >= 0 else ("arrears_reminder", -usable)
    if to_state in (S.ONE_WAY, S.TWO_WAY):
        return "barred", max(-usable, Decimal(0))
    return None, Decimal(0)


def facts_now(*, state: str, balance: Decimal, limit: Decimal, star: int | None, arrears_since: date | None,
              state_since: date, exempt_until: date | None, exempt_cap: Decimal | None, today: date) -> LineFacts:
    """The facts of one line today, computed as the nightly statement computes them (evaluation.evaluate_sql)."""
    usable = balance + limit
    exempt = bool(exempt_until and exempt_until >= today and (exempt_cap is None or usable >= -exempt_cap))
    days_in_arrears = (today - (arrears_since or today)).days if usable < 0 else 0
    return LineFacts(state=state, usable=usable, limit=limit, star=star, days_in_arrears=days_in_arrears,
                     days_in_state=(today - state_since).days, exempt=exempt)


def late_fee(overdue: Decimal, policy: BarringPolicy = DEFAULT_POLICY, *, star: int | None = None) -> Decimal:
    """One day's late fee on the overdue amount (0.3% by default), nothing when the star is waived."""
    if overdue <= 0 or (star is not None and star in policy.late_fee_waived_stars):
        return Decimal("0.00")
    return (overdue * policy.late_fee_rate).quantize(CENT, ROUND_HALF_UP)


# Refusals of emergency continuity: (rule, message); the message names the rule that failed.
EMERGENCY_MIN_STAR = ("min_star", "Emergency continuity is for mid and high credit (3★ and above); "
                                  "this customer is {star}.")
EMERGENCY_ONCE_A_MONTH = ("once_per_month", "Emergency continuity was already granted {count} time(s) this month "
                                            "(at most {limit}).")
EMERGENCY_CLOSED = ("line_closed", "The line is closed.")


def emergency_refusal(*, star: int | None, granted_this_month: int, closed: bool,
                      policy: BarringPolicy = DEFAULT_POLICY) -> tuple[str, str] | None:
    """Why a pass cannot be granted (rule, message), or None when it can. Eligibility comes from the credit
    policy table (emergency continuity: 3★ and above by default)."""
    if closed:
        return EMERGENCY_CLOSED
    if not star_policy(star).emergency_continuity:
        return EMERGENCY_MIN_STAR[0], EMERGENCY_MIN_STAR[1].format(star="unrated" if star is None else f"{star}★")
    if granted_this_month >= policy.emergency_per_month:
        return EMERGENCY_ONCE_A_MONTH[0], EMERGENCY_ONCE_A_MONTH[1].format(count=granted_this_month,
                                                                          limit=policy.emergency_per_month)
    return None


# Aging buckets of the collection queue (DOMAIN.md §5): (label, first day, last day or None).
AGE_BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("91-180", 91, 180), (">180", 181, None))


def age_bucket(days_in_arrears: int) -> str:
    for label, first, last in AGE_BUCKETS:
        if days_in_arrears >= first and (last is None or days_in_arrears <= last):
            return label
    raise ValueError(f"negative age {days_in_arrears}")


# SP settlement (source 000): estimate each SP's share of the arrears in proportion to its charges, leave out
# lines owing only a little, and focus the deduction on SPs with high arrears and signs of self-consumption.
@dataclass(frozen=True)
class SpSettlementPolicy:
    min_line_arrears: Decimal = Decimal("10.00")  # a line owing less is left out of the estimate
    high_arrears_rate: Decimal = Decimal("20")  # % of the SP's revenue in the period left unpaid
    captive_share: Decimal = Decimal("50")  # % of its lines on which it is ≥ 80 % of the bill
    captive_bill_share: Decimal = Decimal("80")
    agent_share: Decimal = Decimal("50")  # % of its revenue from the customers of one acquiring agent
    min_lines_for_agent_sign: int = 20  # concentration means little for an SP with a handful of lines


SP_SETTLEMENT = SpSettlementPolicy()
SP_HIGH_ARREARS = "high_arrears"
SP_CAPTIVE_LINES = "captive_lines"
SP_ONE_AGENT = "one_agent"


def sp_flags(*, revenue: Decimal, arrears_share: Decimal, lines: int, captive_lines: int,
             top_agent_revenue: Decimal, policy: SpSettlementPolicy = SP_SETTLEMENT) -> list[str]:
    """The signs an SP shows: high arrears, lines where it is nearly the whole bill, revenue from one agent."""
    if not revenue or not lines:
        return []
    flags = []
    if arrears_share * 100 >= policy.high_arrears_rate * revenue:
        flags.append(SP_HIGH_ARREARS)
    if captive_lines * 100 >= policy.captive_share * lines:
        flags.append(SP_CAPTIVE_LINES)
    if lines >= policy.min_lines_for_agent_sign and top_agent_revenue * 100 >= policy.agent_share * revenue:
        flags.append(SP_ONE_AGENT)
    return flags


def sp_focus(flags: list[str]) -> bool:
    """Deduct with priority: high arrears together with a sign of self-consumption."""
    return SP_HIGH_ARREARS in flags and (SP_CAPTIVE_LINES in flags or SP_ONE_AGENT in flags)
