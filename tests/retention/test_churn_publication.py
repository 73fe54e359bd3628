"""A churn model version becomes the champion by four eyes only (issue 18): one officer asks with a reason, a
different one approves; the asker, an administrator acting alone, the Django admin and the training command
cannot make it the champion by themselves. Who, when, why and the version are on /audit/."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core.audit import display_name
from core.choices import Role
from credit.choices import FourEyesKind, FourEyesStatus
from credit.four_eyes import four_eyes_approve
from credit.models import FourEyesRequest
from retention import product, publication
from retention.models import LearnedModel
from tests.conftest import make_staff
from tests.retention.test_product_model import NOV, OCT, _province

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def challenger(org):
    _province()
    return product.churn_model_train([OCT, NOV]).stored


def test_a_challenger_becomes_champion_only_when_a_second_officer_approves(org, challenger):
    officer, second = signed_in(org.credit_officer), make_staff(Role.CREDIT_OFFICER)
    assert challenger.challenger and not challenger.active
    page = officer.get(reverse("retention:models")).content.decode()
    assert 'id="request-churn-publication"' in page
    no_reason = officer.post(reverse("retention:model-publish", args=[challenger.pk]), {"reason": ""})
    assert no_reason.status_code == 302 and not FourEyesRequest.objects.exists()
    assert officer.post(reverse("retention:model-publish", args=[challenger.pk]),
                        {"reason": "召回率更高"}).status_code == 302
    request = FourEyesRequest.objects.get(kind=FourEyesKind.CHURN_MODEL_PUBLISH, subject_id=challenger.pk)
    assert not LearnedModel.objects.get(pk=challenger.pk).active
    # the asker cannot approve, by the page or the service
    officer.post(reverse("credit:four-eyes-approve", args=[request.pk]), {"reason": "自批"})
    with pytest.raises(ValidationError):
        four_eyes_approve(request=request, by=org.credit_officer)
    assert not LearnedModel.objects.filter(active=True).exists()
    # an account manager may neither ask nor decide
    assert signed_in(org.am1).post(reverse("retention:model-publish", args=[challenger.pk]),
                                   {"reason": "x"}).status_code == 403
    # the second officer finds it on the four-eyes list and on the models page, and approves it
    other = signed_in(second)
    assert request in other.get(reverse("credit:four-eyes")).context["object_list"]
    assert "approve-publication" in other.get(reverse("retention:models")).content.decode()
    assert other.post(reverse("credit:four-eyes-approve", args=[request.pk]), {"reason": "已复核"}).status_code == 302
    challenger.refresh_from_db()
    assert challenger.active and not challenger.challenger and challenger.published_by == second
    request.refresh_from_db()
    assert request.status == FourEyesStatus.APPROVED and request.decided_by == second
    audit = signed_in(org.admin).get(reverse("audit"), {"model": "credit.foureyesrequest"}).content.decode()
    assert "召回率更高" in audit and "已复核" in audit
    assert display_name(org.credit_officer) in audit and display_name(second) in audit


def test_an_administrator_cannot_publish_alone(org, challenger):
    """The admin asks like anyone and cannot approve their own request; the Django admin is read-only for it."""
    admin = signed_in(org.admin)
    assert admin.post(reverse("retention:model-publish", args=[challenger.pk]), {"reason": "直接上线"}
                      ).status_code == 302
    request = FourEyesRequest.objects.get(kind=FourEyesKind.CHURN_MODEL_PUBLISH)
    admin.post(reverse("credit:four-eyes-approve", args=[request.pk]), {"reason": ""})
    with pytest.raises(ValidationError):
        four_eyes_approve(request=request, by=org.admin)
    change = reverse("admin:retention_learnedmodel_change", args=[challenger.pk])
    assert admin.post(change, {"active": "on"}).status_code == 403
    assert not LearnedModel.objects.filter(active=True).exists()
    # withdrawn by the admin who asked: the challenger stays a challenger and may be asked for again
    assert admin.post(reverse("credit:four-eyes-withdraw", args=[request.pk]), {"reason": "先观察"}
                      ).status_code == 302
    request.refresh_from_db()
    assert request.status == FourEyesStatus.WITHDRAWN
    again = publication.churn_model_publish_request(model=challenger, by=org.credit_officer, reason="再申请")
    four_eyes_approve(request=again, by=org.admin)  # a different person approves: allowed
    assert LearnedModel.objects.get(pk=challenger.pk).active


def test_the_training_command_only_asks_for_the_publication(org):
    _province()
    call_command("train_churn_model", "--scan-date", "2026-10-01", "--scan-date", "2026-11-01", "--publish",
                 "--by", org.credit_officer.username, "--reason", "季度重训")
    row = LearnedModel.objects.get()
    assert row.challenger and not row.active
    request = FourEyesRequest.objects.get(kind=FourEyesKind.CHURN_MODEL_PUBLISH, subject_id=row.pk)
    assert request.requested_by == org.credit_officer and request.status == FourEyesStatus.PENDING
