"""Credit decisions. Pages, API, batches and other apps all go through these functions."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit import four_eyes, policies, state, touchpoints
from credit.blacklist import blacklist_entry_add
from credit.configuration import MODEL_PERMISSION
from credit.choices import FourEyesKind, ModelStatus, RatingKind, SmsEvent
from credit.models import Factor, FactorBin, FourEyesRequest, Rating, ScoringModel, StarCutoff, StarSnapshot
from credit.sql import STAR_SNAPSHOT_SQL
from credit.sql.scoring import RATING_LIMIT_EVENTS_SQL
from customers.models import BlacklistEntry, Customer

CENT = Decimal("0.01")
ERR_NO_FACTORS = _("A model needs at least one factor with bins before it can be published.")
ERR_CUTOFFS = _("A model needs cut-offs for 1★ to 5★, rising with the star.")
ERR_NOT_DRAFT = _("Only a draft can be published.")
ERR_MODEL_ROLE = _("Only credit officers publish a scoring model.")
ERR_LIMIT_UNRATED = _("An unrated or 0★ customer has no credit limit to change.")
ERR_LIMIT_CEILING = _("%(amount)s is above %(ceiling)s CNY, the most any credit limit may be, even with a second "
                      "officer.")
ERR_LIMIT_STAR_CHANGED = _("The customer's star changed from %(old)s to %(new)s since the request; ask again.")
ERR_LIMIT_ROLE = _("Only credit officers change credit limits.")
ERR_REASON = _("Give a reason.")
ERR_NEGATIVE = _("A credit limit cannot be negative.")


def _check_publishable(model: ScoringModel) -> None:
    if model.status != ModelStatus.DRAFT:
        raise ValidationError({"status": ValidationError(ERR_NOT_DRAFT, code="not_draft")})
    if not FactorBin.objects.filter(factor__scoring_model=model).exists() or model.factors.filter(
            bins__isnull=True).exists():
        raise ValidationError({"factors": ValidationError(ERR_NO_FACTORS, code="no_factors")})
    if policies.cutoff_problems(dict(model.cutoffs.values_list("star", "min_score"))):
        raise ValidationError({"cutoffs": ValidationError(ERR_CUTOFFS, code="cutoffs")})


@transaction.atomic
def scoring_model_publish_request(*, model: ScoringModel, by, reason: str) -> FourEyesRequest:
    """Publishing is a four-eyes decision: the officer who asks (with a reason) cannot publish alone; a second
    officer who did not edit the draft approves it (credit.four_eyes), and only then it becomes the running
    model. Until then the draft is frozen (credit.configuration refuses edits)."""
    if not by.has_perm(MODEL_PERMISSION):
        raise PermissionDenied(ERR_MODEL_ROLE)
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(ERR_REASON, code="required")})
    model = ScoringModel.objects.select_for_update().get(pk=model.pk)
    _check_publishable(model)
    return four_eyes.four_eyes_request(
        kind=FourEyesKind.SCORING_MODEL_PUBLISH, subject=model, reason=reason.strip(), by=by,
        payload={"version": model.version, "name": model.name, "updated_at": model.updated_at.isoformat()})


def _scoring_model_publish_apply(request: FourEyesRequest, approver) -> ScoringModel:
    """Approval of a publication: the draft as it was asked for becomes the running version, the previous one is
    retired. Who asked, who approved, when, why and the version: the request's and the model's history (/audit/)."""
    model = ScoringModel.objects.select_for_update().get(pk=request.subject_id)
    _check_publishable(model)
    if model.updated_at.isoformat() != request.payload.get("updated_at"):
        raise ValidationError({"__all__": ValidationError(four_eyes.ERR_DRAFT_CHANGED, code="draft_changed")})
    four_eyes.draft_approver_check(draft=model, approver=approver, also=[model.created_by_id])
    retired = ScoringModel.objects.filter(status=ModelStatus.PUBLISHED).first()
    if retired is not None:
        retired.status, retired._change_reason, retired._history_user = (
            ModelStatus.RETIRED, f"retired by v{model.version}", approver)
        retired.save(update_fields=["status", "updated_at"])
    model.status, model.published_at, model.published_by = ModelStatus.PUBLISHED, timezone.now(), approver
    model.challenger = False  # the challenger won: it is the champion now
    model._change_reason = f"published v{model.version} (#{request.pk}): {request.reason}"[:100]
    model._history_user = approver
    model.save()
    return model


four_eyes.kind_register(FourEyesKind.SCORING_MODEL_PUBLISH, permission=MODEL_PERMISSION,
                                  apply=_scoring_model_publish_apply)


@transaction.atomic
def scoring_model_copy(*, model: ScoringModel, by) -> ScoringModel:
    """A new draft version with the same factors, bins and cut-offs, for editing."""
    latest = ScoringModel.objects.order_by("-version").values_list("version", flat=True).first() or 0
    draft = ScoringModel.objects.create(version=latest + 1, name=model.name, notes=f"Copied from v{model.version}",
                                        created_by=by)
    for factor in model.factors.prefetch_related("bins"):
        copy = Factor.objects.create(scoring_model=draft, dimension=factor.dimension, feature=factor.feature,
                                     weight=factor.weight)
        FactorBin.objects.bulk_create(
            FactorBin(factor=copy, lower=b.lower, upper=b.upper, category=b.category, points=b.points)
            for b in factor.bins.all()
        )
    StarCutoff.objects.bulk_create(
        StarCutoff(scoring_model=draft, star=c.star, min_score=c.min_score) for c in model.cutoffs.all()
    )
    return draft


def rating_record(*, customer: Customer, kind, new_star, new_limit, reason, by=None, rule="", approver=None,
                  policy_version="") -> Rating:
    rating = Rating.objects.create(
        customer=customer, kind=kind, old_star=customer.credit_star, new_star=new_star,
        old_limit=customer.credit_limit, new_limit=new_limit, reason=reason, rule=rule, decided_by=by,
        approved_by=approver, decided_at=timezone.now(), policy_version=policy_version or kind,
    )
    customer.credit_star, customer.credit_limit = new_star, new_limit
    customer._change_reason = reason[:100]  # the customer's history (on /audit/) says why
    customer.save(update_fields=["credit_star", "credit_limit", "updated_at"])
    if rating.old_limit != new_limit:  # billing applies the new limit on every open line, from the event log
        _limit_events(rating)
    if new_star is not None and touchpoints.announces(rating.old_star, new_star):
        event = (SmsEvent.STAR_ASSIGNED if rating.old_star is None else SmsEvent.STAR_CHANGED
                 if rating.old_star != new_star else SmsEvent.LIMIT_CHANGED)
        touchpoints.sms_enqueue(event=event, customer=customer, dedup_key=f"rating-{rating.pk}",
                                context={"star": new_star, "old_star": rating.old_star, "limit": new_limit})
    return rating


def _limit_events(rating: Rating) -> None:
    with connection.cursor() as cur:
        cur.execute(RATING_LIMIT_EVENTS_SQL, {
            "old": rating.old_limit, "new": rating.new_limit, "rule": rating.rule or rating.kind,
            "star": rating.new_star, "customer": rating.customer_id, "policy": rating.policy_version,
            "now": rating.decided_at})


def _check_limit(customer: Customer, amount: Decimal, reason: str) -> None:
    """The rules every manual limit obeys, in range or not (nothing above the ceiling, even with four eyes)."""
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(ERR_REASON, code="required")})
    if amount < 0:
        raise ValidationError({"amount": ValidationError(ERR_NEGATIVE, code="min_value")})
    if not policies.star_policy(customer.credit_star).grants_credit:
        raise ValidationError({"amount": ValidationError(ERR_LIMIT_UNRATED, code="no_credit")})
    ceiling = four_eyes.policy().limit_ceiling
    if amount > ceiling:
        raise ValidationError({"amount": ValidationError(ERR_LIMIT_CEILING, code="limit_ceiling",
                                                         params={"amount": amount, "ceiling": ceiling})})


@transaction.atomic
def credit_limit_change(*, customer: Customer, amount: Decimal, reason: str, by) -> Rating | FourEyesRequest:
    """Manual limit change by a credit officer: inside the star's range it applies at once; outside it, it
    becomes a four-eyes request that a second credit officer decides in their own session."""
    if not by.has_perm(policies.LIMIT_PERMISSION):
        raise PermissionDenied(ERR_LIMIT_ROLE)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _check_limit(customer, amount, reason)
    if policies.limit_in_range(customer.credit_star, amount):
        return rating_record(customer=customer, kind=RatingKind.MANUAL, new_star=customer.credit_star, new_limit=amount,
                             reason=reason, by=by, rule="manual_limit", policy_version="manual")
    return four_eyes.four_eyes_request(
        kind=FourEyesKind.CREDIT_LIMIT, subject=customer, reason=reason, by=by,
        payload={"amount": str(amount.quantize(CENT)), "star": customer.credit_star,
                 "old_limit": str(customer.credit_limit)})


def _credit_limit_apply(request: FourEyesRequest, approver) -> Rating:
    """Approval of an out-of-range limit: the requester decided it, the second officer approved it."""
    customer = Customer.objects.select_for_update().get(pk=request.subject_id)
    amount = Decimal(request.payload["amount"])
    if customer.credit_star != request.payload["star"]:
        raise ValidationError({"__all__": ValidationError(ERR_LIMIT_STAR_CHANGED, code="star_changed", params={
            "old": request.payload["star"], "new": customer.credit_star})})
    _check_limit(customer, amount, request.reason)
    return rating_record(customer=customer, kind=RatingKind.MANUAL, new_star=customer.credit_star, new_limit=amount,
                         reason=request.reason, by=request.requested_by, approver=approver, rule="manual_limit",
                         policy_version="manual")


four_eyes.kind_register(FourEyesKind.CREDIT_LIMIT, permission=policies.LIMIT_PERMISSION, apply=_credit_limit_apply)


@transaction.atomic
def customer_blacklist(*, customer: Customer, reason: str, amount_owed: Decimal, by=None,
                       evidence: str = "") -> BlacklistEntry:
    """Blacklisting makes the customer unrated at once (DOMAIN.md §4): see credit.blacklist."""
    return blacklist_entry_add(customer=customer, reason=reason, amount_owed=amount_owed, evidence=evidence, by=by)


def customer_credit_end(*, customer: Customer, reason: str, by=None) -> Rating | None:
    """Closure ends credit (one customer; the set-based form is credit.state.credit_end)."""
    if not state.credit_end(customer_ids=[customer.pk], rule=state.CLOSED, reason=reason, by=by):
        return None
    customer.refresh_from_db(fields=["credit_star", "credit_limit"])
    return Rating.objects.filter(customer=customer).first()


@transaction.atomic
def legacy_grade_import(*, customer: Customer, grade: str, by=None) -> Rating:
    star = policies.star_from_legacy_grade(grade)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    return rating_record(customer=customer, kind=RatingKind.LEGACY, new_star=star,
                   new_limit=policies.star_policy(star).initial_limit, reason=f"legacy grade {grade.upper()}",
                   by=by, rule="legacy_grade", policy_version="legacy-9-grade")


@transaction.atomic
def star_snapshot_take(*, day=None) -> int:
    """Record today's star distribution (one GROUP BY over customers); re-taking a day replaces it."""
    day = day or timezone.localdate()
    StarSnapshot.objects.filter(taken_on=day).delete()
    with connection.cursor() as cur:
        cur.execute(STAR_SNAPSHOT_SQL, [day])
        return cur.rowcount


@transaction.atomic
def scoring_model_challenge(*, model: ScoringModel, by) -> ScoringModel:
    """Make a draft the challenger: scored nightly in shadow (its impact preview) beside the published model.
    Only one challenger at a time; the previous one stops being scored."""
    model = ScoringModel.objects.select_for_update().get(pk=model.pk)
    if model.status != ModelStatus.DRAFT:
        raise ValidationError({"status": ValidationError(ERR_NOT_DRAFT, code="not_draft")})
    ScoringModel.objects.filter(challenger=True).exclude(pk=model.pk).update(challenger=False)
    model.challenger = True
    model._change_reason = f"challenger, by {by}"[:100]
    model.save(update_fields=["challenger", "updated_at"])
    return model
