"""Barring policy versions configured by credit officers in the app (issue 18 item 3): a draft from the version in
force, its settings checked, publication recorded (who, when, why, version), and the next decision through the
billing intake follows the published version."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears import policy_versions
from arrears.evaluation import evaluate_in_process
from arrears.models import BarringEvent, BarringPolicyVersion, LineAccount
from arrears.services import bill_record
from arrears.selectors import barring_policy_current
from core.audit import display_name
from core.choices import Role
from credit.choices import FourEyesKind, FourEyesStatus
from credit.four_eyes import four_eyes_approve
from credit.models import FourEyesRequest
from credit.services import legacy_grade_import
from tests.conftest import make_staff
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def settings_form(version, **changes) -> dict:
    policy = policy_versions.barring_policy_of(version)
    data = {"reminder_ratio": policy.reminder_ratio, "reminder_minimum": policy.reminder_minimum,
            "two_way_after_days": policy.two_way_after_days, "late_fee_rate": policy.late_fee_rate,
            "late_fee_waived_stars": list(policy.late_fee_waived_stars), "emergency_days": policy.emergency_days,
            "emergency_per_month": policy.emergency_per_month,
            "retention_notice_days": policy.retention_notice_days, "exemption_max_days": policy.exemption_max_days,
            "immediate_rules": list(policy.immediate_rules), "note": "test"}
    return {**data, **changes}


@pytest.fixture
def draft(org):
    response = signed_in(org.credit_officer).post(reverse("arrears:policy-draft"), {"note": "提高提醒门槛"})
    assert response.status_code == 302
    return BarringPolicyVersion.objects.get(published_at__isnull=True)


def test_the_pages_render_for_a_credit_officer_and_are_403_for_an_account_manager(org, draft):
    officer, manager = signed_in(org.credit_officer), signed_in(org.am1)
    in_force = BarringPolicyVersion.objects.filter(published_at__isnull=False).first()
    for url in (reverse("arrears:policies"), reverse("arrears:policy", args=[draft.pk]),
                reverse("arrears:policy", args=[in_force.pk])):
        assert officer.get(url).status_code == 200, url
        assert manager.get(url).status_code == 403, url
    assert manager.post(reverse("arrears:policy-draft")).status_code == 403
    assert manager.post(reverse("arrears:policy-publish", args=[draft.pk]), {"reason": "x"}).status_code == 403
    assert manager.post(reverse("arrears:policy", args=[draft.pk]), settings_form(draft)).status_code == 403
    assert BarringPolicyVersion.objects.get(pk=draft.pk).published_at is None


def test_a_draft_copies_the_version_in_force_and_only_one_draft_exists(org, draft):
    assert draft.version == barring_policy_current().version + 1
    assert draft.config == barring_policy_current().config()
    again = signed_in(org.credit_officer).post(reverse("arrears:policy-draft"), follow=True)
    with translation.override("zh-hans"):
        assert str(policy_versions.ERR_DRAFT_EXISTS) % {"version": draft.version} in again.content.decode()
    assert BarringPolicyVersion.objects.filter(published_at__isnull=True).count() == 1


def test_bad_settings_are_form_errors_and_change_nothing(org, draft):
    before = BarringPolicyVersion.objects.get(pk=draft.pk).config
    response = signed_in(org.credit_officer).post(reverse("arrears:policy", args=[draft.pk]),
                                                  settings_form(draft, reminder_ratio="5.00", two_way_after_days="0"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"reminder_ratio", "two_way_after_days"}
    assert BarringPolicyVersion.objects.get(pk=draft.pk).config == before


def approve(request_pk, user, reason=""):
    return signed_in(user).post(reverse("credit:four-eyes-approve", args=[request_pk]), {"reason": reason})


def request_publication(officer, draft, reason) -> FourEyesRequest:
    assert officer.post(reverse("arrears:policy-publish", args=[draft.pk]), {"reason": reason}).status_code == 302
    return FourEyesRequest.objects.get(kind=FourEyesKind.BARRING_POLICY_PUBLISH, subject_id=draft.pk,
                                       status=FourEyesStatus.PENDING)


def publish_with_second_officer(officer, draft, reason) -> None:
    """Ask as `officer`; a second credit officer (who did not edit the draft) approves."""
    assert approve(request_publication(officer, draft, reason).pk, make_staff(Role.CREDIT_OFFICER)).status_code == 302


def test_the_drafter_cannot_publish_alone_and_a_second_officer_approval_puts_it_in_force(org, draft):
    """Before: the drafter's one POST put the version in force. Now it waits for a second officer."""
    officer = signed_in(org.credit_officer)
    in_force = barring_policy_current().version
    assert officer.post(reverse("arrears:policy", args=[draft.pk]),
                        settings_form(draft, two_way_after_days="20")).status_code == 302
    no_reason = officer.post(reverse("arrears:policy-publish", args=[draft.pk]), {"reason": ""})
    assert no_reason.status_code == 302 and not FourEyesRequest.objects.exists()
    request = request_publication(officer, draft, "欠费20天双停")
    assert BarringPolicyVersion.objects.get(pk=draft.pk).published_at is None
    assert barring_policy_current().version == in_force
    page = officer.get(reverse("arrears:policy", args=[draft.pk])).content.decode()
    assert 'id="publication-waiting"' in page and "欠费20天双停" in page and "approve-publication" not in page
    # the drafter approving their own request: by the page and by the service, refused
    approve(request.pk, org.credit_officer)
    with pytest.raises(ValidationError):
        four_eyes_approve(request=request, by=org.credit_officer)
    assert barring_policy_current().version == in_force
    # frozen while it waits
    frozen = officer.post(reverse("arrears:policy", args=[draft.pk]), settings_form(draft, two_way_after_days="10"))
    assert frozen.status_code == 200
    assert BarringPolicyVersion.objects.get(pk=draft.pk).config["two_way_after_days"] == 20
    assert 'id="draft-waiting"' in officer.get(reverse("arrears:policies")).content.decode()
    # the credit officer's home lists it for a second officer, who approves it
    second_user = make_staff(Role.CREDIT_OFFICER)
    home = signed_in(second_user).get(reverse("dashboard")).content.decode()
    assert 'id="home-four-eyes"' in home and f"#{request.pk}" in home
    assert approve(request.pk, second_user, "已复核").status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is not None and barring_policy_current().version == draft.version
    assert barring_policy_current().two_way_after_days == 20
    decision = policy_versions.publication(draft)
    assert decision.history_user_id == second_user.pk
    assert decision.history_change_reason == f"published v{draft.version} (#{request.pk}): 欠费20天双停"
    page = officer.get(reverse("arrears:policy", args=[draft.pk]))
    assert "欠费20天双停" in page.content.decode() and not page.context["editable"]
    officer.post(reverse("arrears:policy", args=[draft.pk]), settings_form(draft, two_way_after_days="10"))
    assert barring_policy_current().two_way_after_days == 20  # published: refused, unchanged
    admin = signed_in(org.admin)
    audit = admin.get(reverse("audit"), {"model": "arrears.barringpolicyversion"}).content.decode()
    assert f"published v{draft.version} (#{request.pk}): 欠费20天双停" in audit and display_name(second_user) in audit
    requests = admin.get(reverse("audit"), {"model": "credit.foureyesrequest"}).content.decode()
    assert display_name(org.credit_officer) in requests and display_name(second_user) in requests


def test_an_officer_who_edited_the_draft_cannot_approve_its_publication(org, draft):
    editor = make_staff(Role.CREDIT_OFFICER)
    assert signed_in(editor).post(reverse("arrears:policy", args=[draft.pk]),
                                  settings_form(draft, two_way_after_days="25")).status_code == 302
    request = request_publication(signed_in(org.credit_officer), draft, "25天双停")
    with pytest.raises(ValidationError) as err:
        four_eyes_approve(request=request, by=editor)
    assert err.value.error_dict["__all__"][0].code == "draft_editor"
    assert BarringPolicyVersion.objects.get(pk=draft.pk).published_at is None


def post_bill(api, line, amount):
    return api.post("/api/billing/bills/", {"msisdn": line.msisdn, "period": "2026-11", "amount": amount,
                                            "due_date": "2026-12-25"}, format="json",
                    HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def three_star_line():
    """A 3★ customer (limit 50 CNY, rated by the legacy-grade import) with a line."""
    customer = CustomerFactory(join_date=date(2010, 1, 1))
    line = LineFactory(customer=customer)
    legacy_grade_import(customer=customer, grade="A")
    return line


def test_a_published_reminder_threshold_decides_the_next_bill_posted_through_the_api(org, draft):
    billing = APIClient()
    billing.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    before, after = three_star_line(), three_star_line()
    # in force: reminder below 20 % of 50 = 10 CNY; a 35 CNY bill leaves 15 usable: no reminder
    first = post_bill(billing, before, "35.00").json()
    assert (first["usable_credit"], first["state"], first["rule"]) == ("15.00", "active", "")
    officer = signed_in(org.credit_officer)
    assert officer.post(reverse("arrears:policy", args=[draft.pk]),
                        settings_form(draft, reminder_ratio="0.40")).status_code == 302
    # a draft decides nothing
    assert post_bill(billing, three_star_line(), "35.00").json()["state"] == "active"
    publish_with_second_officer(officer, draft, "提醒门槛40%")
    # published: 40 % of 50 = 20 CNY; the same bill now reminds at once, under the new version
    second = post_bill(billing, after, "35.00").json()
    assert (second["usable_credit"], second["state"], second["rule"], second["applied"]) == (
        "15.00", "reminded", "low_credit", True)
    event = BarringEvent.objects.get(line=after)
    assert (event.rule, event.policy_version) == ("low_credit", f"barring-v{draft.version}")
    assert not BarringEvent.objects.filter(line=before).exists()


def test_the_next_nightly_run_follows_a_published_two_way_barring_day(org, draft):
    line = three_star_line()
    bill_record(line=line, period=date(2026, 6, 1), amount=Decimal("100.00"), due_date=date(2026, 6, 25))
    day_20 = date(2026, 7, 15)  # 20 days after the due date, usable credit −50
    evaluate_in_process(day_20)
    assert LineAccount.objects.get(pk=line.pk).state == "one_way_barred"  # in force: two-way after 30 days
    officer = signed_in(org.credit_officer)
    assert officer.post(reverse("arrears:policy", args=[draft.pk]),
                        settings_form(draft, two_way_after_days="20")).status_code == 302
    publish_with_second_officer(officer, draft, "20天双停")
    evaluate_in_process(date(2026, 7, 16))  # the next night (21 days: under 30, over 20)
    assert LineAccount.objects.get(pk=line.pk).state == "two_way_barred"
    event = BarringEvent.objects.filter(line=line).latest("id")
    assert (event.to_state, event.rule, event.policy_version) == ("two_way_barred", "arrears_30_days",
                                                                  f"barring-v{draft.version}")


def test_a_withdrawn_barring_publication_unfreezes_the_draft(org, draft):
    officer = signed_in(org.credit_officer)
    request = request_publication(officer, draft, "欠费20天双停")
    page = officer.get(reverse("arrears:policy", args=[draft.pk])).content.decode()
    assert 'id="withdraw-publication"' in page
    response = officer.post(reverse("credit:four-eyes-withdraw", args=[request.pk]),
                            {"reason": "等下月再发", "next": reverse("arrears:policy", args=[draft.pk])})
    assert response.status_code == 302 and response.url == reverse("arrears:policy", args=[draft.pk])
    request.refresh_from_db()
    assert request.status == FourEyesStatus.WITHDRAWN and request.decision_reason == "等下月再发"
    assert officer.post(reverse("arrears:policy", args=[draft.pk]),
                        settings_form(draft, two_way_after_days="10")).status_code == 302
    assert BarringPolicyVersion.objects.get(pk=draft.pk).config["two_way_after_days"] == 10
    assert BarringPolicyVersion.objects.get(pk=draft.pk).published_at is None
