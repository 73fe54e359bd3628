"""Four eyes: one person asks, a different one approves or rejects in their own session, and only approval applies.

A kind registers who may ask and decide (a permission) and what approval does (`apply`, run inside the
approving transaction, so a refused apply leaves the request pending and nothing written). Pending requests
expire after the policy's days (a periodic task), and an expired one can no longer be approved.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.roles import user_role
from credit import policies
from credit.choices import FourEyesStatus
from credit.models import FourEyesRequest

ERR_PENDING_EXISTS = _("Request #%(id)s for this is already waiting for a second officer.")
ERR_DECISION_REASON = _("Give a reason for the rejection.")
ERR_WITHDRAW_REASON = _("Give a reason for withdrawing the request.")
ERR_NOT_REQUESTER = _("Only the officer who asked (or an administrator) may withdraw a request.")
ERR_NOT_ALLOWED = _("You may not decide this kind of request.")
ERR_DRAFT_EDITOR = _("You worked on this draft: its publication is approved by an officer who did not edit it.")
ERR_DRAFT_CHANGED = _("The draft changed after its publication was requested; reject this request and ask again.")
ERR_DRAFT_WAITING = _("Publication of this draft waits for a second officer (request #%(id)s): it cannot change "
                      "until the request is decided.")
DECISION_ERRORS = {
    "not_pending": _("This request was already decided (%(status)s)."),
    "expired": _("This request expired on %(expires)s; ask again."),
    "own_request": _("A four-eyes request is decided by a second officer, not by the one who asked for it."),
}


@dataclass(frozen=True)
class Kind:
    permission: str  # asks and decides
    apply: Callable  # (request, approver) -> the applied result


KINDS: dict[str, Kind] = {}


def kind_register(kind: str, *, permission: str, apply: Callable) -> None:
    KINDS[kind] = Kind(permission=permission, apply=apply)


def policy() -> policies.FourEyesPolicy:
    default = policies.FourEyesPolicy()
    return policies.FourEyesPolicy(
        expiry_days=int(getattr(settings, "CREDIT_FOUR_EYES_EXPIRY_DAYS", default.expiry_days)),
        limit_ceiling=Decimal(str(getattr(settings, "CREDIT_LIMIT_CEILING", default.limit_ceiling))))


def _check_permission(kind: str, user) -> None:
    if not user.has_perm(KINDS[kind].permission):
        raise PermissionDenied(ERR_NOT_ALLOWED)


def pending_request(*, kind: str, subject) -> FourEyesRequest | None:
    """The request of `kind` about `subject` that waits for a second officer, if any."""
    return FourEyesRequest.objects.filter(kind=kind, subject_type=ContentType.objects.get_for_model(subject),
                                          subject_id=subject.pk, status=FourEyesStatus.PENDING).first()


def draft_not_waiting_check(*, kind: str, draft) -> None:
    """A draft whose publication waits for approval is frozen: the second officer approves what was asked for."""
    pending = pending_request(kind=kind, subject=draft)
    if pending is not None:
        raise ValidationError({"__all__": ValidationError(ERR_DRAFT_WAITING, code="publication_waiting",
                                                          params={"id": pending.pk})})


def draft_approver_check(*, draft, approver, also=()) -> None:
    """Four eyes on a publication: the approver did not edit the draft (anyone in its history, or `also`, such as
    who created it) -- the person who asked is refused by the generic rule already."""
    editors = set(draft.history.exclude(history_user__isnull=True).values_list("history_user_id", flat=True))
    if approver.pk in editors | {pk for pk in also if pk}:
        raise ValidationError({"__all__": ValidationError(ERR_DRAFT_EDITOR, code="draft_editor")})


@transaction.atomic
def four_eyes_request(*, kind: str, subject, payload: dict, reason: str, by) -> FourEyesRequest:
    """Record a pending request; one at a time per kind and subject."""
    _check_permission(kind, by)
    subject_type = ContentType.objects.get_for_model(subject)
    pending = FourEyesRequest.objects.filter(kind=kind, subject_type=subject_type, subject_id=subject.pk,
                                             status=FourEyesStatus.PENDING).first()
    if pending:
        raise ValidationError({"__all__": ValidationError(ERR_PENDING_EXISTS, code="pending_exists",
                                                          params={"id": pending.pk})})
    now = timezone.now()
    request = FourEyesRequest(kind=kind, subject_type=subject_type, subject_id=subject.pk, payload=payload,
                              reason=reason, requested_by=by, requested_at=now,
                              expires_at=now + timedelta(days=policy().expiry_days))
    request._change_reason, request._history_user = reason[:100], by  # the history (on /audit/): why and who
    request.save()
    return request


def _locked_for_decision(request: FourEyesRequest, by) -> FourEyesRequest:
    request = FourEyesRequest.objects.select_for_update().get(pk=request.pk)
    _check_permission(request.kind, by)
    now = timezone.now()
    rule = policies.four_eyes_refusal(status=request.status, expired=request.expires_at <= now,
                                      requested_by_id=request.requested_by_id, decider_id=by.pk)
    if rule:
        raise ValidationError({"__all__": ValidationError(DECISION_ERRORS[rule], code=rule, params={
            "status": request.get_status_display(), "expires": f"{timezone.localtime(request.expires_at):%Y-%m-%d}"})})
    return request


def _decide(request: FourEyesRequest, *, status: str, by, reason: str) -> FourEyesRequest:
    request.status, request.decided_by, request.decided_at, request.decision_reason = (
        status, by, timezone.now(), reason)
    request._change_reason, request._history_user = (reason or request.get_status_display())[:100], by
    request.save()
    return request


@transaction.atomic
def four_eyes_approve(*, request: FourEyesRequest, by, reason: str = "") -> FourEyesRequest:
    """A second officer approves: the change applies now, in the same transaction as the decision."""
    request = _locked_for_decision(request, by)
    KINDS[request.kind].apply(request, by)
    return _decide(request, status=FourEyesStatus.APPROVED, by=by, reason=reason.strip())


@transaction.atomic
def four_eyes_reject(*, request: FourEyesRequest, by, reason: str) -> FourEyesRequest:
    """A second officer rejects, with a reason; nothing applies."""
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(ERR_DECISION_REASON, code="required")})
    request = _locked_for_decision(request, by)
    return _decide(request, status=FourEyesStatus.REJECTED, by=by, reason=reason.strip())


@transaction.atomic
def four_eyes_withdraw(*, request: FourEyesRequest, by, reason: str) -> FourEyesRequest:
    """Whoever asked (or an administrator) takes a pending request back, with a reason: nothing applies, and a
    draft it froze can change again (draft_not_waiting_check looks for a pending request only). The history (on
    /audit/) keeps who withdrew it, when and why."""
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(ERR_WITHDRAW_REASON, code="required")})
    request = FourEyesRequest.objects.select_for_update().get(pk=request.pk)
    rule = policies.four_eyes_withdraw_refusal(status=request.status, requested_by_id=request.requested_by_id,
                                                by_id=by.pk, by_admin=user_role(by) == Role.ADMIN)
    if rule == "not_requester":
        raise PermissionDenied(ERR_NOT_REQUESTER)
    if rule:
        raise ValidationError({"__all__": ValidationError(DECISION_ERRORS[rule], code=rule, params={
            "status": request.get_status_display()})})
    return _decide(request, status=FourEyesStatus.WITHDRAWN, by=by, reason=reason.strip())


def four_eyes_expire(*, now=None) -> int:
    """Expire every pending request past its expiry time (each saved, so the audit trail shows it)."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        for request in FourEyesRequest.objects.select_for_update(skip_locked=True).filter(
                status=FourEyesStatus.PENDING, expires_at__lte=now):
            request.status, request.decided_at = FourEyesStatus.EXPIRED, now
            request._change_reason = "expired"
            request.save(update_fields=["status", "decided_at"])
            expired += 1
    return expired
