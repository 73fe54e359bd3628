"""The admins' audit page: who changed what and when, across audited models; views of personal data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core import audit
from retention.models import ScanSettings

pytestmark = pytest.mark.django_db


def change_scan_settings():
    settings = ScanSettings.objects.first() or ScanSettings()
    settings.alert_threshold = 70
    settings.save()


def test_every_policy_and_customer_record_is_audited():
    labels = set(audit.audited_models())
    assert {"customers.customer", "customers.line", "customers.blacklistentry", "credit.scoringmodel",
            "credit.factor", "credit.factorbin", "credit.starcutoff", "credit.extendedservicepolicy",
            "credit.smstemplate", "retention.signalconfig", "retention.scansettings"} <= labels


def test_a_change_through_the_api_shows_who_made_it(client, org):
    customer = org.book[org.am1.pk][0]
    api = APIClient()
    api.force_authenticate(org.am1)
    assert api.patch(f"/api/customers/{customer.pk}/", {"occupation": "教师"}, format="json").status_code == 200
    change_scan_settings()  # a change by no user (a script)

    client.force_login(org.admin)
    page = client.get(reverse("audit"), {"model": "customers.customer", "object_id": customer.pk})
    [change] = [c for c in page.context["changes"] if c["change"] == "changed"]
    assert change["user"] == org.am1.username and change["object_id"] == customer.pk

    by_user = client.get(reverse("audit"), {"username": org.am1.username}).context["changes"]
    assert by_user and {c["user"] for c in by_user} == {org.am1.username}
    everything = client.get(reverse("audit")).context["changes"]
    assert {"customers.customer", "retention.scansettings"} <= {c["model"] for c in everything}
    assert [c["history_date"] for c in everything] == sorted((c["history_date"] for c in everything), reverse=True)


def test_date_filter_and_its_validation(client, org):
    change_scan_settings()
    client.force_login(org.admin)
    today = timezone.localdate()
    assert client.get(reverse("audit"), {"since": today.isoformat(), "until": today.isoformat(),
                                         "model": "retention.scansettings"}).context["changes"]
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert not client.get(reverse("audit"), {"since": tomorrow, "model": "retention.scansettings"}).context["changes"]
    bad = client.get(reverse("audit"), {"since": tomorrow, "until": today.isoformat()})
    assert bad.status_code == 200 and "until" in bad.context["form"].errors and bad.context["changes"] == []


def test_personal_data_views_are_listed(client, org):
    customer = org.book[org.am1.pk][0]
    api = APIClient()
    api.force_authenticate(org.am1)
    assert api.post(f"/api/customers/{customer.pk}/personal-data/",
                    {"purpose": "credit_review", "purpose_note": "复核授信"}, format="json").status_code == 200
    client.force_login(org.admin)
    [access] = client.get(reverse("audit"), {"username": org.am1.username}).context["accesses"]
    assert access.customer_id == customer.pk and access.user == org.am1


def test_only_admins_open_the_audit_page(client, org):
    client.force_login(org.credit_officer)
    assert client.get(reverse("audit")).status_code == 403


def audit_rows(client, org, **query):
    client.force_login(org.admin)
    return client.get(reverse("audit"), query).context["changes"]


def test_limit_changes_exemptions_and_transfers_show_their_reason(client, org):
    """Before the fix the reason column was empty for all three."""
    from decimal import Decimal

    from arrears.services import line_exempt
    from credit import extended, services
    from tests.factories import LineFactory

    giver, receiver = org.book[org.am1.pk]
    giver.credit_star, giver.credit_limit = 5, Decimal("500.00")
    giver.save()
    receiver.credit_star, receiver.credit_limit = 4, Decimal("200.00")
    receiver.save()
    line = LineFactory(customer=receiver, msisdn="13977770001")
    services.credit_limit_change(customer=giver, amount=Decimal("450.00"), reason="按时缴费十二个月",
                                 by=org.credit_officer)
    extended.extended_service_request(service="credit_transfer", giver=giver, receiver_msisdn="13977770001",
                                      amount=Decimal("50.00"), channel="outlet", by=org.credit_officer)
    line_exempt(line=line, until=timezone.localdate() + timedelta(days=30), reason="政府热线", by=org.credit_officer)

    customer_reasons = [c["history_change_reason"] for c in audit_rows(
        client, org, model="customers.customer", object_id=giver.pk) if c["change"] == "changed"]
    assert any("按时缴费十二个月" in (r or "") for r in customer_reasons)
    assert any("credit transfer" in (r or "") for r in customer_reasons)
    [exemption] = audit_rows(client, org, model="arrears.exemption")
    assert exemption["history_change_reason"] == "政府热线" and exemption["user"] == org.credit_officer.username
    [transfer] = audit_rows(client, org, model="credit.extendedservicerequest")
    assert transfer["user"] == org.credit_officer.username and "credit_transfer" in transfer["history_change_reason"]


def test_late_fee_waivers_and_retention_alert_steps_are_on_the_audit_page(client, org):
    """Before the fix neither showed on /audit/."""
    from decimal import Decimal

    from arrears.models import LedgerEntry, LineAccount
    from arrears.services import late_fees_waive
    from retention.models import RetentionAlert
    from retention.services import alert_transition
    from tests.factories import LineFactory

    customer = org.book[org.am1.pk][0]
    line = LineFactory(customer=customer)
    LineAccount.objects.create(line=line, customer=customer, balance=Decimal("-10.00"),
                               state_since=timezone.localdate())
    LedgerEntry.objects.create(line=line, kind="late_fee", amount=Decimal("-0.90"), posted_at=timezone.now(),
                               reference="late-fee-test")
    late_fees_waive(line=line, amount=Decimal("0.90"), reason="系统故障", by=org.credit_officer)
    alert = RetentionAlert.objects.create(customer=customer, account_manager=org.am1, opened_at=timezone.now(),
                                          score=70)
    alert_transition(alert=alert, to_status="contacted", by=org.am1, note="电话联系，客户考虑中")

    [waiver] = audit_rows(client, org, model="arrears.latefeewaiver")
    assert (waiver["user"], waiver["history_change_reason"]) == (org.credit_officer.username, "系统故障")
    assert "0.90" in waiver["change"]
    [step] = audit_rows(client, org, model="retention.alertevent")
    assert (step["user"], step["object_id"]) == (org.am1.username, alert.pk)
    assert step["history_change_reason"] == "电话联系，客户考虑中" and "已联系" in step["change"]
    by_user = audit_rows(client, org, username=org.am1.username)
    assert "retention.alertevent" in {c["model"] for c in by_user}
    everything = audit_rows(client, org)
    assert {"arrears.latefeewaiver", "retention.alertevent"} <= {c["model"] for c in everything}
    assert [c["history_date"] for c in everything] == sorted((c["history_date"] for c in everything), reverse=True)
    page = client.get(reverse("audit")).content.decode()
    assert "系统故障" in page and "电话联系，客户考虑中" in page
