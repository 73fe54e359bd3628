"""What credit officers configure in the app (issue 18): a scoring model's draft (factors, bins, weights,
cut-offs), the touchpoint SMS templates and the extended credit services' policies.

Writes only; the rules are pure (credit.policies: weight_problems, bin_problems, cutoff_problems,
sms_template_problems, extended_policy_problems) and a breach is a ValidationError naming the field, so the page
shows it as a form error and nothing is written. A published model is never edited (ScoringModel.check_editable;
a new draft is a copy); every save records who and why in its history, shown on /audit/.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from credit import policies, touchpoints
from credit.choices import CATEGORICAL_FEATURES, Feature
from credit.models import ExtendedServicePolicy, Factor, FactorBin, ScoringModel, SmsTemplate, StarCutoff
from customers.models import Brand

MODEL_PERMISSION = "credit.change_scoringmodel"
SMS_PERMISSION = "credit.change_smstemplate"
EXTENDED_PERMISSION = "credit.change_extendedservicepolicy"

ERR_ROLE = _("Only credit officers change this configuration.")
ERR_FACTOR_TWICE = _("The model has a factor on %(feature)s already.")
ERRORS = {
    "weight_range": _("A weight is above 0 and at most %(max)s."),
    "no_bins": _("A factor needs at least one bin."),
    "category_required": _("Row %(row)s: a category (and no range) for this factor."),
    "category_unknown": _("Row %(row)s: unknown category %(category)s; known: %(known)s."),
    "category_twice": _("Row %(row)s: category %(category)s is binned twice."),
    "range_required": _("Row %(row)s: a range (from, to), not a category, for this factor."),
    "range_empty": _("Row %(row)s: 'from' %(lower)s must be below 'to' %(upper)s."),
    "overlap": _("Bins %(first)s and %(second)s overlap: a value would get two bins' points."),
    "cutoffs_missing": _("Give a minimum score for each of 1★ to 5★."),
    "cutoffs_rising": _("The %(star)s★ cut-off must be above the %(lower)s★ cut-off."),
    "required": _("This field is required."),
    "braces": _("Unpaired { or }: a placeholder is written {name}."),
    "placeholder_unknown": _("Unknown placeholder %(placeholder)s; the text may use %(known)s."),
    "min_star_range": _("Credit services start at 1★ and the highest star is 5★."),
    "positive": _("Must be above 0."),
    "month_below_request": _("The month's maximum cannot be below one request's maximum (%(max_amount)s)."),
    "persons_above_count": _("Between 1 and the requests per month."),
    "channels": _("At least one channel, as codes separated by commas (e.g. app,outlet)."),
}


def _raise_problems(problems: list[tuple[str, str, dict]]) -> None:
    """The pure rules' problems as one ValidationError, each on its field."""
    if not problems:
        return
    errors: dict[str, list] = {}
    for field, code, params in problems:
        errors.setdefault(field, []).append(ValidationError(ERRORS[code], code=code, params=params))
    raise ValidationError(errors)


def _check(by, permission: str) -> None:
    if by is not None and not by.has_perm(permission):
        raise PermissionDenied(ERR_ROLE)


def _audited(obj, by, reason: str):
    obj._change_reason, obj._history_user = reason[:100], by
    return obj


def _draft(model: ScoringModel) -> ScoringModel:
    model = ScoringModel.objects.select_for_update().get(pk=model.pk)
    model.check_editable()
    return model


def _touch(model: ScoringModel, by, reason: str) -> None:
    """The draft changed (its updated_at moves): an impact preview computed before is out of date."""
    _audited(model, by, reason).save(update_fields=["updated_at"])


@transaction.atomic
def scoring_model_draft_update(*, model: ScoringModel, by, name: str, notes: str = "",
                               cutoffs: dict[int, Decimal]) -> ScoringModel:
    """A draft's name, notes and star cut-offs (1★..5★, rising)."""
    _check(by, MODEL_PERMISSION)
    model = _draft(model)
    _raise_problems(policies.cutoff_problems(cutoffs))
    model.name, model.notes = name.strip() or model.name, notes
    _audited(model, by, f"draft v{model.version} edited").save()
    existing = {c.star: c for c in model.cutoffs.all()}
    for star, score in cutoffs.items():
        cutoff = existing.get(star) or StarCutoff(scoring_model=model, star=star)
        if cutoff.pk is None or cutoff.min_score != score:
            cutoff.min_score = score
            _audited(cutoff, by, f"v{model.version} {star}★ ≥ {score}").save()
    return model


@transaction.atomic
def factor_add(*, model: ScoringModel, by, feature: str, dimension: str, weight: Decimal) -> Factor:
    """A new factor on a draft, without bins yet (publishing needs its bins)."""
    _check(by, MODEL_PERMISSION)
    model = _draft(model)
    _raise_problems(policies.weight_problems(weight))
    if model.factors.filter(feature=feature).exists():
        raise ValidationError({"feature": ValidationError(ERR_FACTOR_TWICE, code="factor_twice",
                                                          params={"feature": Feature(feature).label})})
    factor = Factor(scoring_model=model, feature=feature, dimension=dimension, weight=weight)
    _audited(factor, by, f"v{model.version} factor {feature} added").save()
    _touch(model, by, f"draft v{model.version}: factor {feature} added")
    return factor


@transaction.atomic
def factor_update(*, factor: Factor, by, dimension: str, weight: Decimal, bins: list[dict]) -> Factor:
    """A draft factor's dimension, weight and bins (replaced as a whole: the rows the page shows)."""
    _check(by, MODEL_PERMISSION)
    model = _draft(factor.scoring_model)
    factor = Factor.objects.get(pk=factor.pk)
    categorical = factor.feature in CATEGORICAL_FEATURES
    rows = [(b.get("lower"), b.get("upper"), (b.get("category") or "").strip()) for b in bins]
    _raise_problems(policies.weight_problems(weight) + policies.bin_problems(
        rows, categorical=categorical,
        categories=brand_codes() if categorical else ()))
    factor.dimension, factor.weight = dimension, weight
    version = model.version
    _audited(factor, by, f"v{version} factor {factor.feature} edited").save()
    for old in factor.bins.all():
        _audited(old, by, f"v{version} {factor.feature} bins replaced").delete()
    for (lower, upper, category), b in zip(rows, bins, strict=True):
        _audited(FactorBin(factor=factor, lower=lower, upper=upper, category=category, points=b["points"]),
                 by, f"v{version} {factor.feature} bin").save()
    _touch(model, by, f"draft v{version}: factor {factor.feature} edited")
    return factor


@transaction.atomic
def factor_remove(*, factor: Factor, by) -> ScoringModel:
    _check(by, MODEL_PERMISSION)
    model = _draft(factor.scoring_model)
    for old in factor.bins.all():
        _audited(old, by, f"v{model.version} {factor.feature} removed").delete()
    _audited(factor, by, f"v{model.version} factor {factor.feature} removed").delete()
    _touch(model, by, f"draft v{model.version}: factor {factor.feature} removed")
    return model


# --- Touchpoint SMS templates ----------------------------------------------------------------------------------

def sms_template_check(body: str) -> None:
    _raise_problems(policies.sms_template_problems(body, touchpoints.PLACEHOLDERS))


@transaction.atomic
def sms_template_update(*, template: SmsTemplate, by, body: str, active: bool) -> SmsTemplate:
    """New text (only known placeholders) or (in)activation; the history keeps every earlier text."""
    _check(by, SMS_PERMISSION)
    sms_template_check(body)
    template = SmsTemplate.objects.select_for_update().get(pk=template.pk)
    template.body, template.active = body.strip(), active
    _audited(template, by, f"SMS {template.event} edited").save()
    return template


def sms_preview(*, body: str, customer, sample: dict | None = None) -> str:
    """The text as the sender would render it for `customer` (name, star, limit), with example event values."""
    sample = sample or {}
    star = "未评级" if customer.credit_star is None else customer.credit_star
    return touchpoints.sms_render(body, {"name": customer.name, "star": star, "old_star": sample.get("old_star", star),
                                         "limit": customer.credit_limit, **sample})


# --- Extended credit service policies ---------------------------------------------------------------------------

EXTENDED_FIELDS = ("active", "min_star", "max_amount", "max_amount_per_month", "max_count_per_month",
                   "max_persons_per_month", "validity_days", "channels", "effective_hours", "giver_floor")


def brand_codes() -> tuple[str, ...]:
    """The categories the brand factor bins."""
    return tuple(Brand.objects.values_list("code", flat=True))


def channel_codes(value) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return tuple(dict.fromkeys(c.strip().lower() for c in items if c.strip()))


@transaction.atomic
def extended_policy_save(*, service: str, by, reason: str, **values) -> ExtendedServicePolicy:
    """Create or change one extended service's policy: every save is a new version (requests record theirs).
    Ending the service is `active=False`: refused from then on with the "inactive" rule."""
    _check(by, EXTENDED_PERMISSION)
    values["channels"] = channel_codes(values.get("channels"))
    _raise_problems(policies.extended_policy_problems(**values))
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(ERRORS["required"], code="required")})
    policy = ExtendedServicePolicy.objects.select_for_update().filter(service=service).first() \
        or ExtendedServicePolicy(service=service)
    for field in EXTENDED_FIELDS:
        if field in values:
            setattr(policy, field, ",".join(values[field]) if field == "channels" else values[field])
    policy.full_clean()
    _audited(policy, by, reason.strip()).save()
    return policy
