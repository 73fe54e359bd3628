"""Alert queue, detail and API are scoped: a manager sees only their own alerts."""

import pytest
from django.urls import reverse
from django.utils import translation

from retention import policies
from retention.choices import AlertStatus, Offer, Signal
from retention.models import RetentionAlert
from tests.retention.conftest import open_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(org):
    return {am.pk: open_alert(org.book[am.pk][0]) for am in (org.am1, org.am2, org.am3, org.am4)}


@pytest.mark.parametrize("who, sees", [("am1", {"am1"}), ("lead_a1", {"am1", "am2"}),
                                       ("regional_a", {"am1", "am2", "am3"}),
                                       ("credit_officer", {"am1", "am2", "am3", "am4"})])
def test_queue_page_and_api_list_are_scoped(client, org, alerts, who, sees):
    client.force_login(getattr(org, who))
    expected = {alerts[getattr(org, am).pk].pk for am in sees}
    page = client.get(reverse("retention:alerts"))
    assert page.status_code == 200 and {a.pk for a in page.context["object_list"]} == expected
    api = client.get("/api/retention/alerts/").json()
    assert {row["id"] for row in api["results"]} == expected


def test_manager_gets_404_for_another_managers_alert(client, org, alerts):
    client.force_login(org.am1)
    other = alerts[org.am2.pk]
    assert client.get(reverse("retention:alert", args=[alerts[org.am1.pk].pk])).status_code == 200
    assert client.get(reverse("retention:alert", args=[other.pk])).status_code == 404
    assert client.post(reverse("retention:alert", args=[other.pk]), {"to_status": "contacted"}).status_code == 404
    assert client.get(f"/api/retention/alerts/{other.pk}/").status_code == 404
    assert client.post(f"/api/retention/alerts/{other.pk}/transition/", {"to_status": "contacted"},
                       content_type="application/json").status_code == 404


def test_roles_without_retention_permission_are_refused(client, org, alerts):
    client.force_login(org.marketing)
    assert client.get(reverse("retention:alerts")).status_code == 403
    assert client.get("/api/retention/alerts/").status_code == 403


def test_manager_moves_an_alert_on_the_page(client, org, alerts):
    client.force_login(org.am1)
    alert = alerts[org.am1.pk]
    response = client.post(reverse("retention:alert", args=[alert.pk]), {"to_status": "contacted", "note": "called"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CONTACTED and alert.events.get().by == org.am1


def test_page_shows_the_broken_rule_on_the_form(client, org, alerts):
    client.force_login(org.am1)
    alert = alerts[org.am1.pk]
    response = client.post(reverse("retention:alert", args=[alert.pk]), {"to_status": "dismissed"})
    assert response.status_code == 200 and "note" in response.context["form"].errors


def test_api_transition_and_its_error_shape(client, org, alerts):
    client.force_login(org.am1)
    alert = alerts[org.am1.pk]
    url = f"/api/retention/alerts/{alert.pk}/transition/"
    bad = client.post(url, {"to_status": "retained"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"
    ok = client.post(url, {"to_status": "contacted", "note": "called"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "contacted"
    assert ok.json()["events"][0]["by"] == org.am1.username


def test_credit_officer_reads_but_cannot_transition(client, org, alerts):
    client.force_login(org.credit_officer)
    alert = alerts[org.am1.pk]
    response = client.post(f"/api/retention/alerts/{alert.pk}/transition/", {"to_status": "contacted"},
                           content_type="application/json")
    assert response.status_code == 403
    assert RetentionAlert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_effectiveness_report_by_offer_manager_and_month(client, org, alerts):
    from decimal import Decimal

    from django.utils import timezone

    now = timezone.now()
    # retained and verified 90 days later (tests/retention/test_verification.py): its points are credited
    RetentionAlert.objects.filter(pk=alerts[org.am1.pk].pk).update(
        status=AlertStatus.RETAINED, offer="topup_bonus", offer_cost=Decimal("48"), closed_at=now,
        verification="confirmed", points=policies.incentive_points(70))
    RetentionAlert.objects.filter(pk=alerts[org.am2.pk].pk).update(
        status=AlertStatus.CHURNED, offer="topup_bonus", offer_cost=Decimal("52"), closed_at=now)
    client.force_login(org.lead_a1)
    response = client.get(reverse("retention:report"))
    assert response.status_code == 200
    (by_offer, rows), (_, by_manager), (_, by_region), (_, by_month) = response.context["tables"]
    assert [(r["closed"], r["retained"], r["retention_rate"], r["cost_per_retained"]) for r in rows] == [
        (2, 1, 50.0, Decimal("100.00"))]
    assert {r["label"]: (r["retained"], r["points"]) for r in by_manager} == {
        org.am1.username: (1, policies.incentive_points(70)), org.am2.username: (0, 0)}
    assert [(r["label"], r["closed"]) for r in by_region] == [(org.region_a.name, 2)]
    assert by_month[0]["label"] == f"{now:%Y-%m}"
    assert b"retention-chart" in response.content


@pytest.mark.parametrize("model", ["signalconfig", "scansettings", "retentionalert", "churnscore"])
def test_admin_pages_render(client, org, alerts, model):
    client.force_login(org.admin)
    assert client.get(reverse(f"admin:retention_{model}_changelist")).status_code == 200


def test_alert_detail_page_shows_signals_offers_and_history(client, org, alerts):
    client.force_login(org.am1)
    alert = alerts[org.am1.pk]
    alert.suggested_offers = [{"code": "topup_bonus", "months": 6, "monthly_bonus": "8.00", "estimated_cost": "48.00"}]
    alert.save()
    response = client.get(reverse("retention:alert", args=[alert.pk]))
    with translation.override("zh-hans"):  # the signal and the offer by their labels, not their codes
        labels = [str(Signal.SPEND_FALLING.label), str(Offer.TOPUP_BONUS.label)]
    page = response.content.decode()
    assert all(label in page for label in labels) and "¥48.00" in page


def test_plan_optimisation_offer_names_its_target_plan_and_bonus_where_staff_read_it(client, org, alerts):
    """The offer's terms (target plan and fee, deposit bonus %) were only in the API JSON: the alert page and
    the 360 page's churn panel show them, translated, money formatted."""
    alert = alerts[org.am1.pk]
    alert.suggested_offers = [
        {"code": "plan_upgrade", "estimated_cost": "0.00", "target_plan": "gotone-128",
         "target_plan_name": "全球通128元套餐", "target_fee": "128.00"},
        {"code": "deposit_and_get", "months": 12, "bonus_pct": 50, "monthly_bonus": "60.00",
         "estimated_cost": "720.00"}]
    alert.offer, alert.status = "plan_upgrade", AlertStatus.OFFER_MADE
    alert.save()
    client.force_login(org.am1)
    with translation.override("zh-hans"):
        page = client.get(reverse("retention:alert", args=[alert.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
        target, bonus = str(translation.gettext("target plan")), translation.gettext("bonus %(pct)s%% of spend")
    html = page.content.decode()
    made = html.split('id="offer-made"')[1].split("</td>")[0]
    assert "全球通128元套餐" in made and "¥128.00" in made and target in made
    assert bonus % {"pct": 50} in html and "¥60.00" in html
    panel = client.get(reverse("customers:detail", args=[alert.customer_id])).content.decode()
    churn = panel.split('id="churn"')[1]
    assert "全球通128元套餐" in churn and "¥128.00" in churn
