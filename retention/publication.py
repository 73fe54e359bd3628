"""Publishing a churn model version is a four-eyes decision (credit.four_eyes, kind churn_model_publish): one
officer asks with a reason, a different one approves in their own session, and only then the version becomes the
champion the nightly scan alerts by. There is no other way to publish: training stores a challenger, the
management command files a request, the Django admin shows versions read-only. Who asked, who approved, when, why
and the version are in the request's history (/audit/) and on the version (published_by, published_at)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit import four_eyes
from credit.choices import FourEyesKind
from credit.models import FourEyesRequest
from retention.models import LearnedModel

PERMISSION = "retention.change_learnedmodel"  # asks and decides
ERR_REASON = _("Give a reason for the publication.")
ERR_ALREADY_CHAMPION = _("This version is already the champion.")


def churn_model_publish_request(*, model: LearnedModel, by, reason: str) -> FourEyesRequest:
    """Ask for `model` to become the champion; a second officer decides (the asker cannot)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(ERR_REASON, code="required")})
    if model.active:
        raise ValidationError({"__all__": ValidationError(ERR_ALREADY_CHAMPION, code="already_champion")})
    return four_eyes.four_eyes_request(kind=FourEyesKind.CHURN_MODEL_PUBLISH, subject=model,
                                       payload={"version": model.version}, reason=reason.strip(), by=by)


@transaction.atomic
def _churn_model_publish_apply(request: FourEyesRequest, approver) -> LearnedModel:
    """On approval: the version becomes the champion (the previous one steps down), published by the approver."""
    model = LearnedModel.objects.select_for_update().get(pk=request.subject_id)
    if model.active:
        raise ValidationError({"__all__": ValidationError(ERR_ALREADY_CHAMPION, code="already_champion")})
    LearnedModel.objects.filter(active=True).exclude(pk=model.pk).update(active=False)
    model.active, model.challenger, model.published_by, model.published_at = True, False, approver, timezone.now()
    model.save(update_fields=["active", "challenger", "published_by", "published_at"])
    return model


four_eyes.kind_register(FourEyesKind.CHURN_MODEL_PUBLISH, permission=PERMISSION, apply=_churn_model_publish_apply)
