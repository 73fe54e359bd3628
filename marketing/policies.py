"""Campaign credit review rules (DOMAIN.md §6, source 000 §4.3). Pure Python: no ORM, no request.

- the target segment is data (a dict of rules over customer fields) validated here;
- the workflow is a transition table: who may move a campaign from which state to which;
- the automatic warnings and the expected arrears exposure are functions of plain numbers.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from core.choices import Role
from customers.choices import LifecycleStage, ServiceStatus
from marketing.choices import CampaignStatus as S
from marketing.choices import IncentiveBasis, OpinionVerdict, RiskControl

CENT = Decimal("0.01")

# ---------------------------------------------------------------- segment rules
# Keys are the customer filterset's parameter names (customers.filtersets.CustomerFilterSet) plus the
# marketing additions (saturation, lifecycle stage, enterprise membership): one vocabulary for the page,
# the API, the stored rules and the SQL.
STAR_VALUES = ["unrated", "0", "1", "2", "3", "4", "5"]
LIST_RULES = {
    "region": None,  # region ids: existence checked by the filterset
    "brand": None,  # brand ids
    "star": STAR_VALUES,
    "status": [v for v, _label in ServiceStatus.choices],
    "lifecycle_stage": [v for v, _label in LifecycleStage.choices],
}
INT_RULES = {"tenure_min", "tenure_max"}  # months on network
DECIMAL_RULES = {"spend_min", "spend_max", "saturation_min", "saturation_max"}  # CNY / month; plan saturation %
BOOL_RULES = {"enterprise_member", "negative_value"}
# the value model's latest decile within the customer's brand, 1 (top 10 %) to 10: the top N, or the bottom deciles
DECILE_RULES = {"value_decile_min", "value_decile_max"}
RANGES = [("tenure_min", "tenure_max"), ("spend_min", "spend_max"), ("saturation_min", "saturation_max"),
          ("value_decile_min", "value_decile_max")]
RULE_KEYS = set(LIST_RULES) | INT_RULES | DECIMAL_RULES | BOOL_RULES | DECILE_RULES
MAX_DECIMAL = Decimal("1000000")
MAX_ID = 2**31  # larger ids do not exist; refusing them keeps an out-of-range integer away from the database

# the star history's source (selectors.star_history) as the review page names it
HISTORY_SOURCE_LABELS = {"accounts": _("line accounts in arrears"), "bills": _("unpaid bills")}


def _star_text(value) -> str:
    return str(_("unrated")) if value == "unrated" else f"{value}★"


def segment_sentences(rules: dict, *, region_names: dict, brand_names: dict) -> list[str]:
    """The stored segment rules as sentences staff read ("信用星级：3★、4★、5★"), in RULE_KEYS' order of meaning.
    Names of regions and brands come from the caller (no ORM here); an unknown key is shown as given."""
    status_labels, stage_labels = dict(ServiceStatus.choices), dict(LifecycleStage.choices)

    def listed(values, names):
        return "、".join(str(names.get(v, names.get(str(v), v))) for v in values)

    rules, out = rules or {}, []
    if rules.get("star"):
        out.append(_("Credit star: %(values)s") % {"values": "、".join(_star_text(v) for v in rules["star"])})
    if rules.get("brand"):
        out.append(_("Brand: %(values)s") % {"values": listed(rules["brand"], brand_names)})
    if rules.get("region"):
        out.append(_("Region: %(values)s") % {"values": listed(rules["region"], region_names)})
    if rules.get("status"):
        out.append(_("Line status: %(values)s") % {"values": listed(rules["status"], status_labels)})
    if rules.get("lifecycle_stage"):
        out.append(_("Lifecycle stage: %(values)s") % {"values": listed(rules["lifecycle_stage"], stage_labels)})
    texts = {
        "tenure_min": _("on the network at least %(n)s months"), "tenure_max": _("on the network at most %(n)s months"),
        "spend_min": _("average monthly spend at least ¥%(n)s"), "spend_max": _("average monthly spend at most ¥%(n)s"),
        "saturation_min": _("plan saturation at least %(n)s%%"), "saturation_max": _("plan saturation at most %(n)s%%"),
        "value_decile_max": _("customer value decile %(n)s or better (1 = the top 10%% of the customer's brand)"),
        "value_decile_min": _("customer value decile %(n)s or lower (10 = the bottom 10%% of the customer's brand)"),
    }
    for key, text in texts.items():
        if rules.get(key) not in (None, ""):
            out.append(str(text % {"n": rules[key]}))
    if rules.get("enterprise_member") is True:
        out.append(str(_("enterprise member lines only")))
    elif rules.get("enterprise_member") is False:
        out.append(str(_("no enterprise member lines")))
    if rules.get("negative_value") is True:
        out.append(str(_("negative-value customers only")))
    elif rules.get("negative_value") is False:
        out.append(str(_("no negative-value customers")))
    known = set(texts) | {"star", "brand", "region", "status", "lifecycle_stage", "enterprise_member", "negative_value"}
    out += [f"{key}: {value}" for key, value in rules.items() if key not in known]
    return [str(s) for s in out]


ERR_RULE_UNKNOWN = _("Unknown segment rule %(key)s.")
ERR_RULE_LIST = _("%(key)s takes a list of values.")
ERR_RULE_CHOICE = _("%(value)s is not a valid value for %(key)s.")
ERR_RULE_ID = _("%(key)s takes a list of ids (positive whole numbers).")
ERR_RULE_INT = _("%(key)s must be a whole number of months, 0 or more.")
ERR_RULE_DECIMAL = _("%(key)s must be a number from 0 to 1,000,000.")
ERR_RULE_BOOL = _("%(key)s must be true or false.")
ERR_RULE_DECILE = _("%(key)s must be a value decile from 1 (the top 10 %%) to 10.")
ERR_RULE_RANGE = _("%(low)s is above %(high)s.")
ERR_RULES_TYPE = _("The segment is an object of rules.")


def _as_decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() and 0 <= d <= MAX_DECIMAL else None


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def clean_segment(rules) -> tuple[dict, dict[str, str]]:
    """(normalised rules, {rule: message}). Empty values are dropped; an empty segment means every customer."""
    if not isinstance(rules, dict):
        return {}, {"segment": str(ERR_RULES_TYPE)}
    clean, errors = {}, {}
    for key, value in rules.items():
        if key not in RULE_KEYS:
            errors[key] = ERR_RULE_UNKNOWN % {"key": key}
            continue
        if value in (None, "", []):
            continue
        if key in LIST_RULES:
            if not isinstance(value, list) or len(value) > 500:
                errors[key] = ERR_RULE_LIST % {"key": key}
                continue
            allowed = LIST_RULES[key]
            if allowed is None:
                if not all(0 < (_as_int(v) or 0) < MAX_ID for v in value):
                    errors[key] = ERR_RULE_ID % {"key": key}
                    continue
                clean[key] = sorted({int(v) for v in value})
            else:
                bad = [v for v in value if str(v) not in allowed]
                if bad:
                    errors[key] = ERR_RULE_CHOICE % {"value": bad[0], "key": key}
                    continue
                clean[key] = sorted({str(v) for v in value}, key=allowed.index)
        elif key in INT_RULES:
            if _as_int(value) is None or not 0 <= _as_int(value) <= 1200:
                errors[key] = ERR_RULE_INT % {"key": key}
                continue
            clean[key] = int(value)
        elif key in DECILE_RULES:
            if _as_int(value) is None or not 1 <= _as_int(value) <= 10:
                errors[key] = ERR_RULE_DECILE % {"key": key}
                continue
            clean[key] = int(value)
        elif key in DECIMAL_RULES:
            d = _as_decimal(value)
            if d is None:
                errors[key] = ERR_RULE_DECIMAL % {"key": key}
                continue
            clean[key] = str(d)
        else:
            if value in (True, "true", "True"):
                clean[key] = True
            elif value in (False, "false", "False"):
                clean[key] = False
            else:
                errors[key] = ERR_RULE_BOOL % {"key": key}
    for low, high in RANGES:
        if low in clean and high in clean and Decimal(str(clean[low])) > Decimal(str(clean[high])):
            errors[high] = ERR_RULE_RANGE % {"low": low, "high": high}
    return clean, errors


def segment_filter_data(rules: dict) -> dict:
    """The rules as filterset data (lists stay lists, everything else a string)."""
    data = {}
    for key, value in rules.items():
        if isinstance(value, list):
            data[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            data[key] = "true" if value else "false"
        else:
            data[key] = str(value)
    return data


# ---------------------------------------------------------------- workflow
# What the author writes and revises (the rest is the workflow's): a round's diff compares these.
EDITABLE_FIELDS = [
    "name", "goal", "segment", "packages", "in_plan_tariff", "out_of_plan_tariff", "tariff_unit",
    "expected_participants", "monthly_revenue", "monthly_cost", "duration_months", "revenue_notes", "channels",
    "incentive_per_customer", "incentive_basis", "promotion", "min_star", "deposit", "limit_cap", "usage_cap",
    "barring_rule", "risk_notes",
]
DRAFTER, REVIEWER, EITHER = "drafter", "reviewer", "either"
# Who drafts: marketing staff (credit officers and admins too — the four-eyes rule below still holds).
DRAFTING_ROLES = frozenset({Role.MARKETING, Role.CREDIT_OFFICER, Role.ADMIN})
DECIDING_ROLES = frozenset({Role.CREDIT_OFFICER})  # only credit officers review and decide


@dataclass(frozen=True)
class Transition:
    action: str
    actor: str
    not_author: bool = False  # four eyes: the author may not take this step
    reason_required: bool = False
    is_decision: bool = False  # a credit decision: recorded with the risk assessment


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, S.SUBMITTED): Transition("submit", DRAFTER),
    (S.SUBMITTED, S.IN_REVIEW): Transition("start_review", REVIEWER, not_author=True),
    (S.IN_REVIEW, S.APPROVED): Transition("approve", REVIEWER, not_author=True, is_decision=True),
    (S.IN_REVIEW, S.RETURNED): Transition("return", REVIEWER, not_author=True, reason_required=True,
                                          is_decision=True),
    (S.IN_REVIEW, S.REJECTED): Transition("reject", REVIEWER, not_author=True, reason_required=True,
                                          is_decision=True),
    (S.RETURNED, S.SUBMITTED): Transition("resubmit", DRAFTER),
    (S.APPROVED, S.RUNNING): Transition("launch", DRAFTER),
    (S.RUNNING, S.CLOSED): Transition("close", EITHER),
}
EDITABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED})  # the author revises a returned campaign, then resubmits
REVIEWABLE_STATUSES = frozenset({S.IN_REVIEW})

ERR_TRANSITION = _("A campaign cannot go from %(from)s to %(to)s.")
ERR_NOT_DRAFTER = _("Only marketing staff move a campaign to %(to)s.")
ERR_NOT_REVIEWER = _("Only a credit officer may %(action)s a campaign.")
ERR_OWN_CAMPAIGN = _("You drafted this campaign: another credit officer must review it.")
ERR_REASON_REQUIRED = _("Give the reason for this decision.")
ERR_BLOCKING = _("The risk assessment has errors (%(codes)s): return the campaign for changes instead.")
ERR_OPINIONS_MISSING = _("Give an opinion on every risk control in round %(round)s before approving (missing: "
                         "%(controls)s).")
ERR_MUST_CHANGE_OPEN = _("A \"must change\" opinion is still open (%(controls)s): return the campaign so the "
                         "author revises it and answers each one.")
ERR_ANSWERS_MISSING = _("Answer each \"must change\" opinion before resubmitting (%(controls)s).")


@dataclass(frozen=True)
class OpinionState:
    """What the rules need to know of one recorded opinion."""

    review_round: int
    control: str
    verdict: str
    answered: bool  # the author's revision answered it


@dataclass(frozen=True)
class ReviewGaps:
    round: int
    missing: tuple[str, ...]  # risk controls without an opinion in the current round
    open_must_change: tuple[OpinionState, ...]  # "must change" opinions the author has not answered


def review_gaps(opinions, current_round: int) -> ReviewGaps:
    """An approval needs an opinion on every risk control in the current round and no "must change" left
    unanswered in any round (one given in the current round cannot have been answered yet: the officer
    returns the campaign; the author revises, answers each one and resubmits into a new round)."""
    given = {o.control for o in opinions if o.review_round == current_round}
    return ReviewGaps(
        round=current_round, missing=tuple(c for c in RiskControl.values if c not in given),
        open_must_change=tuple(sorted((o for o in opinions if o.verdict == OpinionVerdict.MUST_CHANGE
                                       and not o.answered), key=lambda o: (o.review_round, o.control))))


def _labels(controls) -> str:
    return ", ".join(str(RiskControl(c).label) for c in controls)


def allowed_targets(current: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == current]


def _may_act(actor: str, role: str | None) -> bool:
    if actor == DRAFTER:
        return role in DRAFTING_ROLES
    if actor == REVIEWER:
        return role in DECIDING_ROLES
    return role in DRAFTING_ROLES or role in DECIDING_ROLES


def offered_targets(current: str, *, role: str | None, is_author) -> list[str]:
    """The targets a page offers: allowed from `current` and passing the role and four-eyes rules
    (transition_refusal's first checks). `is_author` is a bool or a callable asked only when a step needs it."""
    out, known = [], {}
    for target in allowed_targets(current):
        rule = TRANSITIONS[(current, target)]
        if not _may_act(rule.actor, role):
            continue
        if rule.not_author:
            if "author" not in known:
                known["author"] = is_author() if callable(is_author) else is_author
            if known["author"]:
                continue
        out.append(target)
    return out


FORBIDDEN_CODES = frozenset({"role", "own_campaign"})  # "you may not": 403 in the API, the others 400


def transition_refusal(*, current: str, target: str, role: str | None, is_author: bool, reason: str = "",
                       blocking: tuple[str, ...] = (), gaps: ReviewGaps | None = None) -> tuple[str, str, str] | None:
    """(field, code, message) of the first rule a transition breaks; None when it is allowed.

    `blocking` are the codes of error-level warnings: a campaign with one cannot be approved. `gaps` are the
    review's opinions still missing or open: an approval needs none, a resubmission an answer to each
    "must change"."""
    rule = TRANSITIONS.get((current, target))
    if rule is None:
        return "to_status", "transition", str(ERR_TRANSITION % {"from": current, "to": target})
    if not _may_act(rule.actor, role):
        message = ERR_NOT_REVIEWER % {"action": rule.action} if rule.actor == REVIEWER else \
            ERR_NOT_DRAFTER % {"to": target}
        return "to_status", "role", str(message)
    if rule.not_author and is_author:
        return "to_status", "own_campaign", str(ERR_OWN_CAMPAIGN)
    if rule.reason_required and not reason.strip():
        return "reason", "reason", str(ERR_REASON_REQUIRED)
    if target == S.APPROVED and blocking:
        return "to_status", "blocking", str(ERR_BLOCKING % {"codes": ", ".join(blocking)})
    if gaps is not None and target == S.APPROVED and gaps.missing:
        return "opinions", "opinions_missing", str(ERR_OPINIONS_MISSING % {
            "round": gaps.round, "controls": _labels(gaps.missing)})
    if gaps is not None and target == S.APPROVED and gaps.open_must_change:
        return "opinions", "must_change_open", str(ERR_MUST_CHANGE_OPEN % {
            "controls": _labels(o.control for o in gaps.open_must_change)})
    if gaps is not None and (current, target) == (S.RETURNED, S.SUBMITTED) and gaps.open_must_change:
        return "answers", "answers_missing", str(ERR_ANSWERS_MISSING % {
            "controls": _labels(o.control for o in gaps.open_must_change)})
    return None


def transition_errors(**kwargs) -> dict[str, str]:
    """{field: message} of the rule a transition breaks; empty when it is allowed."""
    refusal = transition_refusal(**kwargs)
    return {refusal[0]: refusal[2]} if refusal else {}


def transition_for(current: str, target: str) -> Transition | None:
    return TRANSITIONS.get((current, target))


# ---------------------------------------------------------------- automatic warnings
ERROR, WARNING = "error", "warning"
# Source 000: keep the in-plan / out-of-plan tariff gap within 5–10×. "Above" is strict: 5.0× does not warn,
# 5.01× does; 10.0× warns but is not an error; 10.01× is an error.
TARIFF_RATIO_WARNING = Decimal(5)
TARIFF_RATIO_ERROR = Decimal(10)
LOW_CREDIT_STARS = (0, 1, None)  # 0★, 1★ and unrated (no credit at all)


@dataclass(frozen=True)
class RiskWarning:
    code: str
    level: str
    control: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "level": self.level, "control": self.control, "message": str(self.message)}


def tariff_ratio(in_plan: Decimal | None, out_of_plan: Decimal | None) -> Decimal | None:
    if in_plan is None or out_of_plan is None or in_plan <= 0:
        return None
    return Decimal(out_of_plan) / Decimal(in_plan)  # exact: 5.0 must not round up into a warning


def campaign_warnings(*, usage_cap: Decimal | None, in_plan_tariff: Decimal | None,
                      out_of_plan_tariff: Decimal | None, deposit: Decimal, low_credit_customers: int,
                      incentive_basis: str) -> list[RiskWarning]:
    """The automatic warnings of DOMAIN.md §6, errors first."""
    found = []
    ratio = tariff_ratio(in_plan_tariff, out_of_plan_tariff)
    if ratio is not None and ratio > TARIFF_RATIO_ERROR:
        found.append(RiskWarning("tariff_ratio", ERROR, RiskControl.TARIFF, _(
            "Out-of-plan tariff is %(r)s× the in-plan tariff: above 10× (source 000 keeps the gap within 5–10×).")
            % {"r": f"{ratio:.2f}"}))
    elif ratio is not None and ratio > TARIFF_RATIO_WARNING:
        found.append(RiskWarning("tariff_ratio", WARNING, RiskControl.TARIFF, _(
            "Out-of-plan tariff is %(r)s× the in-plan tariff: above 5×.") % {"r": f"{ratio:.2f}"}))
    if in_plan_tariff is None or out_of_plan_tariff is None:
        found.append(RiskWarning("no_price_policy", WARNING, RiskControl.TARIFF,
                                 _("The in-plan and out-of-plan tariffs are not both given.")))
    if usage_cap is None:
        found.append(RiskWarning("no_usage_cap", WARNING, RiskControl.USAGE_CAP,
                                 _("No usage cap: out-of-plan usage can run up bills without limit.")))
    if low_credit_customers > 0 and not deposit:
        found.append(RiskWarning("low_credit_no_deposit", WARNING, RiskControl.DEPOSIT, _(
            "%(n)s customers of the segment are 0–1★ or unrated and the campaign asks no deposit.")
            % {"n": f"{low_credit_customers:,}"}))
    if incentive_basis == IncentiveBasis.VOLUME:
        found.append(RiskWarning("incentive_volume_only", WARNING, RiskControl.CHANNEL_INCENTIVE, _(
            "Channel incentives reward volume only: channels are paid for customers whatever their arrears "
            "(source 000: whoever develops it answers for it).")))
    return sorted(found, key=lambda w: w.level != ERROR)


def blocking_codes(warnings: list[RiskWarning]) -> tuple[str, ...]:
    return tuple(w.code for w in warnings if w.level == ERROR)


# ---------------------------------------------------------------- exposure and forecasts
@dataclass(frozen=True)
class StarHistory:
    """Historical figures of one star: share of its customers in arrears, and what one of them owes on average."""

    customers: int
    in_arrears: int
    arrears_amount: Decimal  # total owed by those in arrears
    closed: int = 0

    @property
    def arrears_rate(self) -> Decimal:
        return Decimal(self.in_arrears) / Decimal(self.customers) if self.customers else Decimal(0)

    @property
    def average_arrears(self) -> Decimal:
        return Decimal(self.arrears_amount) / Decimal(self.in_arrears) if self.in_arrears else Decimal(0)

    @property
    def churn_rate(self) -> Decimal:
        return Decimal(self.closed) / Decimal(self.customers) if self.customers else Decimal(0)


def expected_exposure(counts: dict, history: dict) -> dict:
    """Σ over stars of (segment count × historical arrears rate × average arrears amount), per star and total.

    `counts` and `history` are keyed by star (0–5, None = unrated); a star without history contributes 0."""
    per_star, total, churn = [], Decimal(0), Decimal(0)
    for star in (5, 4, 3, 2, 1, 0, None):
        n = counts.get(star, 0)
        h = history.get(star) or StarHistory(0, 0, Decimal(0))
        exposure = n * h.arrears_rate * h.average_arrears
        expected_churn = n * h.churn_rate
        total += exposure
        churn += expected_churn
        per_star.append({"star": star, "customers": n, "arrears_rate": h.arrears_rate,
                         "average_arrears": h.average_arrears.quantize(CENT, ROUND_HALF_UP),
                         "expected_in_arrears": n * h.arrears_rate,
                         "exposure": exposure.quantize(CENT, ROUND_HALF_UP), "expected_churn": expected_churn})
    return {"per_star": per_star, "total": total.quantize(CENT, ROUND_HALF_UP),
            "expected_in_arrears": sum((r["expected_in_arrears"] for r in per_star), Decimal(0)),
            "expected_churn": churn}


def low_credit_count(counts: dict) -> int:
    return sum(counts.get(star, 0) for star in LOW_CREDIT_STARS)


def revenue_analysis(*, participants: int, monthly_revenue: Decimal, monthly_cost: Decimal, months: int,
                     incentive: Decimal, exposure: Decimal = Decimal(0)) -> dict:
    """Expected revenue, cost (discounts/subsidies and channel incentives) and net after the arrears exposure."""
    revenue = participants * monthly_revenue * months
    cost = participants * (monthly_cost * months + incentive)
    net = revenue - cost - exposure
    return {"revenue": revenue.quantize(CENT), "cost": cost.quantize(CENT), "exposure": exposure.quantize(CENT),
            "net": net.quantize(CENT)}


# ---------------------------------------------------------------- tagging members (issue 16)
ERR_OUTSIDE_SEGMENT = _("This customer is outside the campaign's segment: only a credit officer may tag "
                        "them, stating why.")
ERR_OVERRIDE_ROLE = _("Only a credit officer may tag a customer outside the segment.")


def tag_refusal(*, in_segment: bool, role: str | None, override_reason: str) -> tuple[str, str, str] | None:
    """(field, code, message) when a customer may not be tagged: a customer outside the segment needs a credit
    officer's override with a reason (source 000: 信用管理部门 审核营销方案; the segment is what was approved)."""
    if in_segment:
        return None
    if not (override_reason or "").strip():
        return "override_reason", "outside_segment", ERR_OUTSIDE_SEGMENT
    if role not in DECIDING_ROLES:
        return "override_reason", "override_role", ERR_OVERRIDE_ROLE
    return None
