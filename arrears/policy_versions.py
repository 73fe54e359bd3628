"""Barring policy versions, configured by credit officers in the app (issue 18).

A published version is never edited: a change is a new draft (a copy of the version in force), edited, then
published with four eyes — one officer asks with a reason, a second one who did not edit the draft approves it
(credit.four_eyes, kind barring_policy_publish); who asked, who approved, when, why and the version are in the
request's and the version's history, on /audit/. While the request waits the draft is frozen. The
nightly run and every real-time decision read the version in force (`selectors.barring_policy_current`), so the next
decision after publishing follows it. Rules on the settings are pure (arrears.policies.barring_policy_problems).
"""

from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears import policies
from arrears.models import BarringPolicyVersion
from arrears.selectors import barring_policy_current
from credit import four_eyes
from credit.choices import FourEyesKind
from credit.models import FourEyesRequest

PERMISSION = "arrears.change_barringpolicyversion"
ERR_ROLE = _("Only credit officers change the barring policy.")
ERR_PUBLISHED = _("Version %(version)s is published and cannot be edited; create a new draft from it.")
ERR_DRAFT_EXISTS = _("Draft version %(version)s exists already: edit or publish it.")
ERR_REASON = _("Give a reason.")
ERRORS = {
    "out_of_range": _("Between %(low)s and %(high)s."),
    "unknown_star": _("Stars are 0★ to 5★."),
    "unknown_rule": _("Unknown rules: %(rules)s."),
}


def _check(by) -> None:
    if by is not None and not by.has_perm(PERMISSION):
        raise PermissionDenied(ERR_ROLE)


def _locked_draft(version: BarringPolicyVersion, *, editing: bool = True) -> BarringPolicyVersion:
    version = BarringPolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.published_at is not None:
        raise ValidationError({"__all__": ValidationError(ERR_PUBLISHED, code="immutable",
                                                          params={"version": version.version})})
    if editing:
        four_eyes.draft_not_waiting_check(kind=FourEyesKind.BARRING_POLICY_PUBLISH, draft=version)
    return version


def _check_problems(version: BarringPolicyVersion) -> None:
    problems = policies.barring_policy_problems(barring_policy_of(version))
    if problems:
        errors: dict[str, list] = {}
        for field, code, params in problems:
            errors.setdefault(field, []).append(ValidationError(ERRORS[code], code=code, params=params))
        raise ValidationError(errors)


def barring_policy_of(version: BarringPolicyVersion) -> policies.BarringPolicy:
    return policies.BarringPolicy.from_config(version.version, version.config)


def draft_of() -> BarringPolicyVersion | None:
    return BarringPolicyVersion.objects.filter(published_at__isnull=True).order_by("-version").first()


@transaction.atomic
def barring_draft_create(*, by, note: str = "") -> BarringPolicyVersion:
    """A new draft: the settings of the version in force, under the next version number. One draft at a time."""
    _check(by)
    existing = draft_of()
    if existing is not None:
        raise ValidationError({"__all__": ValidationError(ERR_DRAFT_EXISTS, code="draft_exists",
                                                          params={"version": existing.version})})
    current = barring_policy_current()
    number = (BarringPolicyVersion.objects.aggregate(n=Max("version"))["n"] or 0) + 1
    draft = BarringPolicyVersion(version=number, config=current.config(),
                                 note=(note or f"draft from {current.label}")[:200])
    draft._change_reason, draft._history_user = f"draft v{number} from {current.label}", by
    draft.save()
    return draft


@transaction.atomic
def barring_draft_update(*, version: BarringPolicyVersion, by, note: str = "", **settings) -> BarringPolicyVersion:
    """A draft's settings (the fields of policies.BarringPolicy), checked before anything is written."""
    _check(by)
    version = _locked_draft(version)
    policy = replace(barring_policy_of(version), **settings)
    version.config = policy.config()
    _check_problems(version)
    version.note = (note or version.note)[:200]
    version._change_reason, version._history_user = f"draft v{version.version} edited", by
    version.save()
    return version


@transaction.atomic
def barring_policy_publish_request(*, version: BarringPolicyVersion, by, reason: str) -> FourEyesRequest:
    """Ask for a draft to be put in force: a four-eyes request that a second credit officer (who did not edit the
    draft) approves; the one who asks cannot publish alone."""
    _check(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(ERR_REASON, code="required")})
    version = _locked_draft(version, editing=False)
    _check_problems(version)
    return four_eyes.four_eyes_request(
        kind=FourEyesKind.BARRING_POLICY_PUBLISH, subject=version, reason=reason.strip(), by=by,
        payload={"version": version.version, "config": version.config})


def _barring_policy_publish_apply(request: FourEyesRequest, approver) -> BarringPolicyVersion:
    """Approval: the draft as asked for is in force from now; the nightly run and the next real-time decision
    follow it, and every barring event records its label."""
    version = _locked_draft(BarringPolicyVersion(pk=request.subject_id), editing=False)
    if version.config != request.payload.get("config"):
        raise ValidationError({"__all__": ValidationError(four_eyes.ERR_DRAFT_CHANGED, code="draft_changed")})
    _check_problems(version)
    four_eyes.draft_approver_check(draft=version, approver=approver)
    version.published_at = timezone.now()
    version._change_reason = f"published v{version.version} (#{request.pk}): {request.reason}"[:100]
    version._history_user = approver
    version.save()
    return version


four_eyes.kind_register(FourEyesKind.BARRING_POLICY_PUBLISH, permission=PERMISSION, apply=_barring_policy_publish_apply)


def publication(version: BarringPolicyVersion):
    """The history row of the version's publication (who, when, why), or None for a draft."""
    if version.published_at is None:
        return None
    return (version.history.filter(history_change_reason__startswith=f"published v{version.version}")
            .select_related("history_user").order_by("-history_date").first())


def version_list(*, user):
    """Every version, newest first (the policy is the province's: no customer scope)."""
    return BarringPolicyVersion.objects.order_by("-version")
