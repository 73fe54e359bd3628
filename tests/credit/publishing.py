"""Publishing a draft is a four-eyes decision: one officer asks, a second one (who did not edit it) approves."""

from core.choices import Role
from credit.four_eyes import four_eyes_approve
from credit.services import scoring_model_publish_request
from tests.conftest import make_staff


def second_officer():
    return make_staff(Role.CREDIT_OFFICER)


def publish(model, *, asker, approver=None, reason="新版本"):
    """Ask as `asker`, approve as `approver` (a fresh credit officer by default); the published model."""
    request = scoring_model_publish_request(model=model, by=asker, reason=reason)
    four_eyes_approve(request=request, by=approver or second_officer())
    model.refresh_from_db()
    return model
