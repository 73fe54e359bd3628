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
