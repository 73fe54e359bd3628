"""Pages every role lands on, and the offline rule: no asset is loaded from another host."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXTERNAL_ASSET = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


@pytest.mark.parametrize("url_name", ["dashboard", "customers:list", "customers:onboard", "customers:callbacks",
                                      "batch-runs", "api-docs", "admin:index"])
def test_pages_load_only_local_assets(client, org, url_name):
    client.force_login(org.admin)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert not EXTERNAL_ASSET.search(response.content.decode()), url_name


def test_navigation_follows_role(client, org):
    client.force_login(org.marketing)
    labels = [item["url"] for item in client.get(reverse("dashboard")).context["nav_items"]]
    assert reverse("customers:list") in labels
    assert reverse("customers:onboard") not in labels
    client.force_login(org.am1)
    labels = [item["url"] for item in client.get(reverse("dashboard")).context["nav_items"]]
    assert reverse("customers:onboard") in labels and reverse("batch-runs") not in labels


def test_batch_runs_page_needs_permission(client, org):
    client.force_login(org.am1)
    assert client.get(reverse("batch-runs")).status_code == 403


def test_dashboard_revenue_trend_is_in_scope(client, org):
    from datetime import date
    from decimal import Decimal

    from tests.factories import LineFactory, UsageSummaryFactory

    mine = LineFactory(customer=org.book[org.am1.pk][0])
    theirs = LineFactory(customer=org.book[org.am4.pk][0])
    UsageSummaryFactory(line=mine, month=date(2026, 10, 1), bill_amount=Decimal("50.00"))
    UsageSummaryFactory(line=theirs, month=date(2026, 10, 1), bill_amount=Decimal("70.00"))
    client.force_login(org.am1)
    assert client.get(reverse("dashboard")).context["revenue_trend"] == [{"month": "2026-10", "bill": "50.00"}]
    client.force_login(org.credit_officer)
    assert client.get(reverse("dashboard")).context["revenue_trend"] == [{"month": "2026-10", "bill": "120.00"}]


@pytest.mark.django_db
def test_the_dashboard_shows_campaign_notifications_to_their_recipient_only(client, org):
    from django.utils import timezone

    from marketing.models import Campaign, Notification

    campaign = Campaign.objects.create(name="春季流量包", goal="x", author=org.marketing)
    Notification.objects.create(recipient=org.credit_officer, campaign=campaign, message="方案待审核：春季流量包",
                                created_at=timezone.now())
    client.force_login(org.credit_officer)
    assert "方案待审核：春季流量包" in client.get(reverse("dashboard")).content.decode()
    client.force_login(org.marketing)
    assert "方案待审核" not in client.get(reverse("dashboard")).content.decode()
