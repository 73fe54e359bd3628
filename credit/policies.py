"""Credit policy tables and pure rules (DOMAIN.md §4, source 004). No ORM, no request.

Other apps read star-dependent values through `star_policy(star)` / `entitlements(star)` only.
"""

import re
import string
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from customers.policies import months_ago

UNRATED = None
MIN_TENURE_MONTHS = 6  # below this a customer is unrated


@dataclass(frozen=True)
class StarPolicy:
    star: int | None
    legacy_grades: tuple[str, ...]
    target_share: Decimal
    initial_limit: Decimal
    limit_min: Decimal
    limit_max: Decimal
    retention_days: int  # number kept after two-way barring
    free_sim_replacements: int  # per year
    fee_waivers: bool  # SIM replacement, opening, international
    numbers_per_person: int
    flexible_authentication: bool
    rebate_before_verification: bool
    emergency_continuity: bool
    dedicated_channel: bool

    @property
    def grants_credit(self) -> bool:
        return self.initial_limit > 0


def _p(star, grades, share, initial, lo, hi, retention, sims, mid_high, rebate=False):
    return StarPolicy(
        star=star, legacy_grades=grades, target_share=Decimal(share), initial_limit=Decimal(initial),
        limit_min=Decimal(lo), limit_max=Decimal(hi), retention_days=retention, free_sim_replacements=sims,
        fee_waivers=mid_high, numbers_per_person=20 if mid_high else 5, flexible_authentication=mid_high,
        rebate_before_verification=rebate, emergency_continuity=mid_high, dedicated_channel=mid_high,
    )


# star: legacy grades, target share, initial limit, [min, max], retention days, free SIMs, 3★+ services, rebate
STAR_POLICIES: dict[int | None, StarPolicy] = {
    5: _p(5, ("AAA",), "0.01", 300, 300, 500, 120, 5, True, rebate=True),
    4: _p(4, ("AA",), "0.07", 200, 200, 300, 120, 4, True),
    3: _p(3, ("A",), "0.07", 50, 50, 100, 90, 3, True),
    2: _p(2, ("BBB",), "0.15", 20, 20, 50, 90, 0, False),
    1: _p(1, ("BB",), "0.20", 10, 10, 20, 90, 0, False),
    0: _p(0, ("B", "CCC", "CC", "C"), "0.50", 0, 0, 0, 90, 0, False),
    UNRATED: _p(UNRATED, (), "0", 0, 0, 0, 90, 0, False),
}

LEGACY_GRADE_TO_STAR: dict[str, int] = {
    grade: policy.star for policy in STAR_POLICIES.values() for grade in policy.legacy_grades
}


def star_policy(star: int | None) -> StarPolicy:
    return STAR_POLICIES[star]


def entitlements(star: int | None) -> dict:
    """What a customer of this star is entitled to, as plain data (for pages and the API)."""
    p = star_policy(star)
    return {
        "retention_days": p.retention_days,
        "free_sim_replacements_per_year": p.free_sim_replacements,
        "fee_waivers": p.fee_waivers,
        "numbers_per_person": p.numbers_per_person,
        "flexible_authentication": p.flexible_authentication,
        "rebate_before_verification": p.rebate_before_verification,
        "emergency_continuity": p.emergency_continuity,
        "dedicated_channel": p.dedicated_channel,
    }


def star_from_legacy_grade(grade: str) -> int:
    try:
        return LEGACY_GRADE_TO_STAR[grade.strip().upper()]
    except KeyError:
        raise ValueError(f"Unknown legacy grade {grade!r}; expected one of {sorted(LEGACY_GRADE_TO_STAR)}") from None


def is_rateable(*, tenure_months: int, blacklisted: bool) -> bool:
    """Unrated = tenure under 6 months or on the blacklist."""
    return tenure_months >= MIN_TENURE_MONTHS and not blacklisted


def limit_in_range(star: int | None, amount: Decimal) -> bool:
    p = star_policy(star)
    return p.limit_min <= amount <= p.limit_max


def clamp_limit(star: int | None, amount: Decimal) -> Decimal:
    p = star_policy(star)
    return min(max(amount, p.limit_min), p.limit_max)


@dataclass(frozen=True)
class FourEyesPolicy:
    """Four eyes on credit decisions. Settings CREDIT_FOUR_EYES_EXPIRY_DAYS and CREDIT_LIMIT_CEILING override."""

    expiry_days: int = 7  # a pending request nobody decided in this time expires
    # No limit above this, even with a second officer: twice the top of the 5★ range (1,000 CNY), so a slip of
    # the keyboard (100000.00) cannot become a limit.
    limit_ceiling: Decimal = STAR_POLICIES[5].limit_max * 2


def four_eyes_refusal(*, status: str, expired: bool, requested_by_id: int, decider_id: int) -> str | None:
    """The rule a decision on a four-eyes request breaks, or None: only a pending, unexpired request, and never
    by the person who asked for it."""
    if status != "pending":
        return "not_pending"
    if expired:
        return "expired"
    if requested_by_id == decider_id:
        return "own_request"
    return None


def four_eyes_withdraw_refusal(*, status: str, requested_by_id: int, by_id: int, by_admin: bool) -> str | None:
    """The rule withdrawing a four-eyes request breaks, or None: only a pending one (expired or not: withdrawing
    ends the wait either way), and only by the person who asked for it or an administrator."""
    if status != "pending":
        return "not_pending"
    if requested_by_id != by_id and not by_admin:
        return "not_requester"
    return None


# --- Drafts and templates that credit officers configure in the app (issue 18) -------------------------------
# Each rule answers (field, code, params) for what is wrong, [] when nothing is; the services raise them as
# ValidationErrors with their messages (credit.configuration) and the pages show them as form errors.

WEIGHT_MAX = Decimal("100")


def weight_problems(weight: Decimal) -> list[tuple[str, str, dict]]:
    """A factor's weight multiplies its points: above 0, at most WEIGHT_MAX."""
    if weight is None or weight <= 0 or weight > WEIGHT_MAX:
        return [("weight", "weight_range", {"max": WEIGHT_MAX})]
    return []


def bin_problems(bins: list[tuple], *, categorical: bool, categories=()) -> list[tuple[str, str, dict]]:
    """A factor's bins, each (lower, upper, category): a categorical factor bins known categories, each once; a
    numeric one bins ranges [lower, upper) (None = open) that do not overlap. At least one bin."""
    if not bins:
        return [("bins", "no_bins", {})]
    problems = []
    if categorical:
        seen = set()
        for i, (lower, upper, category) in enumerate(bins, 1):
            if not category or lower is not None or upper is not None:
                problems.append(("bins", "category_required", {"row": i}))
            elif categories and category not in categories:
                problems.append(("bins", "category_unknown", {"row": i, "category": category,
                                                              "known": ", ".join(categories)}))
            elif category in seen:
                problems.append(("bins", "category_twice", {"row": i, "category": category}))
            seen.add(category)
        return problems
    for i, (lower, upper, category) in enumerate(bins, 1):
        if category:
            problems.append(("bins", "range_required", {"row": i}))
        elif lower is not None and upper is not None and lower >= upper:
            problems.append(("bins", "range_empty", {"row": i, "lower": lower, "upper": upper}))
    if problems:
        return problems
    ordered = sorted(bins, key=lambda b: (b[0] is not None, b[0] or 0))
    for (lo1, up1, _c1), (lo2, _up2, _c2) in zip(ordered, ordered[1:], strict=False):
        if up1 is None or lo2 is None or lo2 < up1:
            problems.append(("bins", "overlap", {"first": _range_label(lo1, up1), "second": _range_label(lo2, _up2)}))
    return problems


def _range_label(lower, upper) -> str:
    return f"[{'-∞' if lower is None else lower}, {'∞' if upper is None else upper})"


def cutoff_problems(cutoffs: dict[int, Decimal]) -> list[tuple[str, str, dict]]:
    """Star cut-offs: one for each of 1★..5★, strictly rising with the star."""
    if sorted(cutoffs) != [1, 2, 3, 4, 5] or any(cutoffs[s] is None for s in cutoffs):
        return [("cutoffs", "cutoffs_missing", {})]
    return [("cutoffs", "cutoffs_rising", {"star": s + 1, "lower": s}) for s in range(1, 5)
            if cutoffs[s] >= cutoffs[s + 1]]


SMS_FIELD = re.compile(r"^[a-z_]+$")


def sms_template_problems(body: str, placeholders) -> list[tuple[str, str, dict]]:
    """An SMS template: text, and only the {placeholders} the senders fill (no format specs, conversions or
    attribute access, which the set-based SQL renderer would not understand); braces must pair."""
    if not (body or "").strip():
        return [("body", "required", {})]
    try:
        fields = [(name, spec, conversion) for _text, name, spec, conversion in string.Formatter().parse(body)
                  if name is not None]
    except ValueError:
        return [("body", "braces", {})]
    problems = []
    for name, spec, conversion in fields:
        if name not in placeholders or spec or conversion or not SMS_FIELD.match(name):
            problems.append(("body", "placeholder_unknown", {"placeholder": "{" + name + "}",
                                                             "known": " ".join(f"{{{p}}}" for p in placeholders)}))
    return problems


CHANNEL_CODE = re.compile(r"^[a-z_]{1,20}$")


def extended_policy_problems(*, min_star: int, max_amount: Decimal, max_amount_per_month: Decimal,
                             max_count_per_month: int, max_persons_per_month: int,
                             channels: tuple[str, ...], **_ignored) -> list[tuple[str, str, dict]]:
    """An extended service's constraints: credit is granted from 1★; a request fits in the month's amount;
    people per month within requests per month; at least one channel, each a code."""
    problems = []
    if not 1 <= min_star <= 5:
        problems.append(("min_star", "min_star_range", {}))
    if max_amount <= 0:
        problems.append(("max_amount", "positive", {}))
    if max_amount_per_month < max_amount:
        problems.append(("max_amount_per_month", "month_below_request", {"max_amount": max_amount}))
    if max_count_per_month < 1:
        problems.append(("max_count_per_month", "positive", {}))
    if not 1 <= max_persons_per_month <= max(max_count_per_month, 1):
        problems.append(("max_persons_per_month", "persons_above_count", {}))
    if not channels or any(not CHANNEL_CODE.match(c) for c in channels):
        problems.append(("channels", "channels", {}))
    return problems


def star_for_score(score: Decimal, cutoffs: dict[int, Decimal]) -> int:
    """Highest star whose cut-off the score reaches; 0★ below every cut-off."""
    for star in sorted(cutoffs, reverse=True):
        if score >= cutoffs[star]:
            return star
    return 0


# --- Guidance model (half-yearly, 1–5★): simple rules, first match wins --------------------------------------

# The value model's deciles (1 = the top 10 %): source 000's top 20 % and bottom 30 % (80/20/30).
HIGH_VALUE_DECILE = 2
LOW_VALUE_DECILE = 8
# .2: customer value (source 000) joins; .3: low_value after up_star; .4: score_up (the credit score's star) and
# every input read as of the run's day; .5: score_down (the star follows the credit score down as well as up)
GUIDANCE_VERSION = "guidance-2026.5"
OPERATORS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b, "<": lambda a, b: a < b}


@dataclass(frozen=True)
class Condition:
    # a credit.choices.Feature value, or "credit_star" / "limit_headroom" / "score_star_gap" / "customer_value"
    feature: str
    op: str
    value: Decimal | int

    def holds(self, values: dict) -> bool:
        """As SQL judges it: an unknown value (a customer the value model has not ranked) holds no condition."""
        value = values.get(self.feature)
        return value is not None and OPERATORS[self.op](value, self.value)


@dataclass(frozen=True)
class GuidanceRule:
    code: str
    reason: str
    conditions: tuple[Condition, ...]
    any_of: bool = False  # False: all conditions must hold
    star_delta: int = 0
    limit_factor: Decimal = Decimal(1)

    def matches(self, values: dict) -> bool:
        results = [c.holds(values) for c in self.conditions]
        return any(results) if self.any_of else all(results)


GUIDANCE_RULES: tuple[GuidanceRule, ...] = (
    GuidanceRule("down_star", "30+ days in arrears or 2+ suspensions in 6 months",
                 (Condition("arrears_days_6m", ">=", 30), Condition("suspensions_6m", ">=", 2)),
                 any_of=True, star_delta=-1),
    # Source 004: 客户信用级别随其信用评价升降 - the star falls with the credit evaluation too: a customer whose score,
    # read as of the run, no longer reaches their star's cut-off goes down one star (one a run, as score_up goes up).
    # Without it a star granted on an old evaluation outlived it, and the top stars held far more than their share.
    GuidanceRule("score_down", "Credit score below the current star's cut-off",
                 (Condition("score_star_gap", "<=", -1),), star_delta=-1),
    GuidanceRule("down_limit", "A late bill or a suspension in 6 months",
                 (Condition("late_bills_6m", ">=", 1), Condition("suspensions_6m", ">=", 1)),
                 any_of=True, limit_factor=Decimal("0.8")),
    GuidanceRule("up_star", "Limit at the top of its range, on time for 12 months and spend rising 10%+",
                 (Condition("credit_star", "<", 5), Condition("limit_headroom", "<=", 0),
                  Condition("late_bills_12m", "=", 0), Condition("suspensions_12m", "=", 0),
                  Condition("spend_trend", ">=", 10)),
                 star_delta=1),
    # Source 004: 建立每月评估、每半年调整机制,畅通客户级别上升通道 ... 客户信用级别随其信用评价升降,
    # 确保信用级别真实反映客户信用状况 (a monthly evaluation and a half-yearly adjustment keep the way up
    # open: the star rises and falls with the customer's credit evaluation). The evaluation is the base model's
    # score: a 1-4★ customer whose score, read as of the run, reaches the next star's cut-off and who paid every
    # bill on time without a suspension for 12 months goes up one star (one a run: 适度稳定性). up_star alone
    # needed the limit at the top of the range, 3-5 up_limit steps of x1.2 from the initial limit, i.e. 1.5-2.5
    # years of half-yearly runs: stars only went down.
    GuidanceRule("score_up", "Credit score at the next star's cut-off, on time for 12 months",
                 (Condition("score_star_gap", ">=", 1), Condition("late_bills_12m", "=", 0),
                  Condition("suspensions_12m", "=", 0)),
                 star_delta=1),
    # Source 000: 对于低价值客户要适当降低授信额度 (a low-value customer's limit is lowered "appropriately"), and its
    # 80/20/30: the bottom 30 % of customers are the non-profit ones. So the bottom 30 % by value (deciles 8-10 of
    # the latest month with complete bills, ranked within the brand) and any customer of negative current value
    # (定位负价值客户) have their limit stepped down within the star's range. A limit cut, not a star freeze: it comes
    # after up_star (a customer who earns the next star still gets it; the source lowers limits, the base model
    # already scores value) and ahead of up_limit / high_value, so their limit does not rise while they stay
    # there. Unranked customers (no bills in the value window, or the month not ranked) are neither low nor high.
    GuidanceRule("low_value", "Bottom 30% of customer value or negative value: limit lowered, no rise",
                 (Condition("value_decile", ">=", LOW_VALUE_DECILE), Condition("customer_value", "<", 0)),
                 any_of=True, limit_factor=Decimal("0.8")),
    GuidanceRule("up_limit", "On time for 6 months and spend rising 10%+",
                 (Condition("late_bills_6m", "=", 0), Condition("suspensions_6m", "=", 0),
                  Condition("spend_trend", ">=", 10)),
                 limit_factor=Decimal("1.2")),
    # Source 000: 高价值客户要提高客户授信额度 - the top 20 % (deciles 1-2, who bring 80 % of the profit) on time and
    # without suspensions for 6 months get the same limit step up as rising spend would give them.
    GuidanceRule("high_value", "Top 20% of customer value, on time for 6 months: limit raised",
                 (Condition("value_decile", "<=", HIGH_VALUE_DECILE), Condition("late_bills_6m", "=", 0),
                  Condition("suspensions_6m", "=", 0)),
                 limit_factor=Decimal("1.2")),
)


def guidance_outcome(rule: GuidanceRule, star: int, limit: Decimal) -> tuple[int, Decimal]:
    """New (star, limit) when `rule` fires: a star move resets to the new star's initial limit;
    a limit move stays inside the current star's range."""
    if rule.star_delta:
        new_star = min(5, max(0, star + rule.star_delta))
        return new_star, star_policy(new_star).initial_limit
    return star, clamp_limit(star, (limit * rule.limit_factor).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def guidance_decision(values: dict) -> tuple[GuidanceRule | None, int, Decimal]:
    """Pure form of the guidance model for one customer (`values`: the features, credit_star, credit_limit and
    score_star); the batch runs the same rules as SQL."""
    star, limit = values["credit_star"], values["credit_limit"]
    score_star = values.get("score_star")  # the star the published base model's score reaches; None: not scored
    values = {**values, "limit_headroom": star_policy(star).limit_max - limit,
              "score_star_gap": None if score_star is None else score_star - star}
    for rule in GUIDANCE_RULES:
        if rule.matches(values):
            return rule, *guidance_outcome(rule, star, limit)
    return None, star, limit


# --- Extended credit services (balance transfer, credit sharing, credit transfer) ---------------------------

@dataclass(frozen=True)
class ExtendedRules:
    """The constraints of one extended service, as configured (credit.ExtendedServicePolicy)."""

    min_star: int
    max_amount: Decimal  # per request
    max_amount_per_month: Decimal
    max_count_per_month: int
    max_persons_per_month: int  # distinct counterparts
    channels: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True)
class Usage:
    """What the customer already used of this service this month."""

    amount: Decimal = Decimal(0)
    count: int = 0
    persons: frozenset = frozenset()


# Moving a credit limit is the credit role's decision (the permission that governs ratings); the other services
# move a balance or lend credit for a while and stay open to whoever works the giver's account.
LIMIT_PERMISSION = "credit.add_rating"
LIMIT_CHANGING_SERVICES = frozenset({"credit_transfer"})


@dataclass(frozen=True)
class LimitMove:
    """Both sides of a credit transfer as they would be after it: each new limit must stay in its star's range."""

    giver_star: int | None
    giver_after: Decimal
    receiver_star: int | None
    receiver_after: Decimal


EXTENDED_REFUSALS = {
    "role": "Only credit officers may move credit limits.",
    "inactive": "The service is not offered at the moment.",
    "min_star": "Needs at least {min_star}★; the customer is {star}.",
    "same_person": "The receiving line belongs to the same customer.",
    "receiver_blacklisted": "The receiver is blacklisted: no credit may be lent to them.",
    "amount_positive": "The amount must be positive.",
    "max_amount": "At most {max_amount} CNY per request.",
    "monthly_amount": "At most {max_amount_per_month} CNY per month; {used} already used.",
    "monthly_count": "At most {max_count_per_month} requests per month.",
    "monthly_persons": "At most {max_persons_per_month} different receivers per month.",
    "channel": "Not available through {channel}; allowed: {channels}.",
    "available": "Only {available} CNY is available to give.",
    "giver_floor": "The giver's balance may not fall below {floor} CNY; {available} CNY can be given.",
    "giver_range": "The giver's limit would become {after} CNY, outside the {star} range [{lo}, {hi}].",
    "receiver_range": "The receiver's limit would become {after} CNY, outside the {star} range [{lo}, {hi}].",
}
# The request field each refusal is about (the API names it in its 400).
REFUSAL_FIELDS = {
    "role": "service", "inactive": "service", "channel": "channel", "min_star": "giver",
    "same_person": "receiver_msisdn", "receiver_blacklisted": "receiver_msisdn", "monthly_persons": "receiver_msisdn",
    "monthly_count": "giver",
    "amount_positive": "amount", "max_amount": "amount", "monthly_amount": "amount", "available": "amount",
    "giver_range": "amount", "receiver_range": "amount", "giver_floor": "amount",
}


def _star_label(star) -> str:
    return "unrated" if star is None else f"{star}★"


def _range_params(star, after: Decimal) -> dict:
    p = star_policy(star)
    return {"star": _star_label(star), "after": after, "lo": p.limit_min, "hi": p.limit_max}


def extended_refusal(rules: ExtendedRules, *, star, amount: Decimal, channel: str, receiver_key, same_person: bool,
                     used: Usage, available: Decimal, may_change_limits: bool,
                     move: LimitMove | None = None, floor: Decimal | None = None,
                     receiver_blacklisted: bool = False) -> tuple[str, str] | None:
    """(rule code, message) of the first rule the request breaks, or None when it may go ahead.

    `move` is given for a service that changes limits (credit transfer); `may_change_limits` says whether the
    caller holds the credit role that may do that. `floor` is given for a balance transfer: `available` is then
    what lies above the giver's floor, and going below it is the rule "giver_floor"."""
    common = {"star": _star_label(star), "channel": channel, "channels": ", ".join(rules.channels),
              "used": used.amount, "available": max(available, Decimal(0)), "floor": floor,
              **{k: getattr(rules, k) for k in ("min_star", "max_amount", "max_amount_per_month",
                                                "max_count_per_month", "max_persons_per_month")}}
    checks = [
        ("role", move is not None and not may_change_limits),
        ("inactive", not rules.active),
        ("channel", channel not in rules.channels),
        ("min_star", star is None or star < rules.min_star),
        ("same_person", same_person),
        ("receiver_blacklisted", receiver_blacklisted),  # credit lent to them would undo their blacklisting
        ("amount_positive", amount <= 0),
        ("max_amount", amount > rules.max_amount),
        ("monthly_amount", used.amount + amount > rules.max_amount_per_month),
        ("monthly_count", used.count + 1 > rules.max_count_per_month),
        ("monthly_persons", receiver_key not in used.persons and len(used.persons) + 1 > rules.max_persons_per_month),
        ("giver_floor" if floor is not None else "available", amount > available),
    ]
    params = dict.fromkeys(EXTENDED_REFUSALS, common)
    if move is not None:
        checks += [("giver_range", not limit_in_range(move.giver_star, move.giver_after)),
                   ("receiver_range", not limit_in_range(move.receiver_star, move.receiver_after))]
        params.update(giver_range=_range_params(move.giver_star, move.giver_after),
                      receiver_range=_range_params(move.receiver_star, move.receiver_after))
    for code, broken in checks:
        if broken:
            return code, EXTENDED_REFUSALS[code].format(**params[code])
    return None


# --- Blacklist lifecycle (DOMAIN.md §4, source 000/004) -----------------------------------------------------

def blacklist_settlement(outstanding: list[Decimal], payment: Decimal) -> list[Decimal]:
    """How much of a payment goes to each open entry, oldest first: a payment reduces what is owed and an
    entry whose outstanding reaches 0 is settled (cleared). Whatever is left over stays on the line."""
    parts, left = [], max(payment, Decimal(0))
    for owed in outstanding:
        take = min(left, max(owed, Decimal(0)))
        parts.append(take)
        left -= take
    return parts


# --- Run periods (source 004: base monthly, guidance half-yearly; DOMAIN.md "Re-rating schedule") -----------

def period_of(kind: str, day) -> str:
    """The period a day falls in: "2026-12" for the base model, "2026-H2" for guidance."""
    return f"{day:%Y-%m}" if kind == "base" else f"{day.year}-H{1 if day.month <= 6 else 2}"


def rating_period_refusal(kind: str, period: str, today) -> tuple[str, str] | None:
    """(rule, message) when `period` may not be run on `today`, else None: the base model only for the current
    or a past month, guidance only for the current or a past half-year (2027-H1 in December 2026 is refused)."""
    pattern = r"^\d{4}-(0[1-9]|1[0-2])$" if kind == "base" else r"^\d{4}-H[12]$"
    if not re.match(pattern, period or ""):
        shape = "YYYY-MM" if kind == "base" else "YYYY-H1 or YYYY-H2"
        return "period_format", f"A {kind} run's period is {shape}, not {period!r}."
    if period > period_of(kind, today):  # both shapes sort as text
        return "future_period", f"{period} has not begun (today is in {period_of(kind, today)})."
    return None


# --- Entitlements applied (source 004 §4(2)–(4), DOMAIN.md "Services by star") ------------------------------

# List prices of the services whose fee 3★+ customers have waived (source 004 names the waivers, not the prices;
# settings CREDIT_SERVICE_FEES overrides them).
SERVICE_FEES = {"sim_replacement": Decimal("10.00"), "opening": Decimal("20.00"), "international": Decimal("50.00")}
FEE_WAIVED_SERVICES = frozenset({"opening", "international"})  # SIM replacement: by the yearly free quota
# The 7 services with flexible authentication (source 004 names 国际业务、积分转移、产品变更、家庭网、开户 "等7项";
# the other two are the services its list of waived credentials and fees adds: 补换卡 and 合约购机).
FLEXIBLE_AUTH_SERVICES = ("international", "points_transfer", "product_change", "family_network", "opening",
                          "sim_replacement", "contract_handset")
VERIFICATION_METHODS = ("id_document", "service_password", "sms_code")
STANDARD_VERIFICATION = ("id_document",)  # without the entitlement: the ID document, in person


@dataclass(frozen=True)
class Fee:
    service: str
    list_price: Decimal
    fee: Decimal
    rule: str  # why this fee: "list_price", "fee_waiver_3_star", "free_quota"


def service_fee(service: str, star: int | None, list_price: Decimal) -> Fee:
    """Opening and international services: the fee is waived for 3★ and above."""
    if service in FEE_WAIVED_SERVICES and star_policy(star).fee_waivers:
        return Fee(service, list_price, Decimal("0.00"), "fee_waiver_3_star")
    return Fee(service, list_price, list_price, "list_price")


def sim_replacement_fee(star: int | None, used_this_year: int, list_price: Decimal) -> Fee:
    """SIM replacement: free while the year's quota lasts (5★: 5, 4★: 4, 3★: 3; none below 3★), then the list
    price."""
    if used_this_year < star_policy(star).free_sim_replacements:
        return Fee("sim_replacement", list_price, Decimal("0.00"), "free_quota")
    return Fee("sim_replacement", list_price, list_price, "list_price")


def verification_methods(service: str, star: int | None) -> dict:
    """Which credentials a service accepts for this customer: 3★+ may use any one of ID, service password or an
    SMS code to their own number for the 7 services; everyone else shows the ID document."""
    flexible = service in FLEXIBLE_AUTH_SERVICES and star_policy(star).flexible_authentication
    return {"service": service, "flexible": flexible, "any_one_of": list(VERIFICATION_METHODS if flexible
                                                                         else STANDARD_VERIFICATION)}


def rebate_pays_first(star: int | None) -> bool:
    """5★: a rebate is paid first and verified after (先返费后查验); others are verified, then paid."""
    return star_policy(star).rebate_before_verification


# --- The credit report's outcome series (credit.outcomes, and the night's facts in credit.report_facts) ---------

OUTCOME_MONTHS = 12


def outcome_months(today: date, n: int = OUTCOME_MONTHS) -> list[date]:
    """The first days of the `n` months ending with today's, oldest first."""
    return [months_ago(today.replace(day=1), back) for back in range(n - 1, -1, -1)]
