"""Retention outcomes verified (issue 16 item 5; source 001 明确保有高危客户与提升存量客户价值的积分数量): "retained" is
confirmed by the daily batch when the customer still has an open line 90 days later and reverts to churned
otherwise; points are credited only then (risk points, and value points when spend went up over 3 months); the
plan optimisation offer names the target plan."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from arrears.services import bill_record
from customers.policies import months_ago
from retention import policies, selectors
from retention.models import RetentionAlert
from retention.services import alert_transition
from retention.verify import verify_in_process
from tests.factories import LineFactory, PlanFactory
from tests.retention.conftest import open_alert

pytestmark = pytest.mark.django_db


def retain(alert, by):
    alert_transition(alert=alert, to_status="contacted", by=by, note="已电话联系")
    return alert_transition(alert=alert, to_status="retained", by=by, outcome="办理存就送")


def test_retained_is_confirmed_after_90_days_with_the_line_open_and_points_credited(org):
    customer = org.book[org.am1.pk][0]
    LineFactory(customer=customer)
    alert = retain(open_alert(customer, score=70), org.am1)
    today = timezone.localdate()
    assert (alert.verification, alert.verify_on) == ("pending", today + timedelta(days=90))
    assert selectors.effectiveness(user=org.am1)[0]["points"] == 0  # self-declared: nothing credited yet
    verify_in_process(today + timedelta(days=89))
    alert.refresh_from_db()
    assert alert.verification == "pending"
    verify_in_process(today + timedelta(days=90))
    alert.refresh_from_db()
    assert (alert.verification, alert.status, alert.points, alert.value_points) == ("confirmed", "retained", 4, 0)
    assert alert.events.last().note.startswith("verified")
    assert selectors.effectiveness(user=org.am1)[0]["points"] == 4  # 1 + 70 // 20


def test_retained_reverts_to_churned_when_no_line_is_left(org):
    customer = org.book[org.am1.pk][0]
    line = LineFactory(customer=customer)
    alert = retain(open_alert(customer, score=90), org.am1)
    type(line).objects.filter(pk=line.pk).update(status="closed", closed_on=timezone.localdate() + timedelta(days=30))
    day = timezone.localdate() + timedelta(days=90)
    assert verify_in_process(day) == 1
    assert verify_in_process(day) == 1  # the same run again: applied once
    alert.refresh_from_db()
    assert (alert.verification, alert.status, alert.points) == ("reverted", "churned", 0)
    assert RetentionAlert.objects.filter(verification="reverted").count() == 1
    assert alert.events.filter(to_status="churned").count() == 1


def test_value_points_when_spend_rose_over_3_months(org):
    customer = org.book[org.am1.pk][0]
    line = LineFactory(customer=customer)
    month0 = timezone.localdate().replace(day=1)
    for back in (3, 2, 1):
        bill_record(line=line, period=months_ago(month0, back), amount=Decimal("50.00"),
                    due_date=months_ago(month0, back) + timedelta(days=10))
    alert = retain(open_alert(customer, score=60), org.am1)
    for ahead in (1, 2, 3):
        period = months_ago(month0, -ahead)
        bill_record(line=line, period=period, amount=Decimal("80.00"), due_date=period + timedelta(days=10))
    verify_in_process(timezone.localdate() + timedelta(days=90))
    alert.refresh_from_db()
    assert (alert.points, alert.value_points) == (4, policies.VALUE_POINTS)  # 1 + 60 // 20; 80 > 50 a month


def test_plan_optimisation_names_the_target_plan():
    facts = policies.OfferFacts(avg_spend=Decimal("88"), single_product=False, saturation=Decimal("95"),
                                target_plan={"code": "gotone-128", "name": "全球通128元套餐",
                                             "monthly_fee": Decimal("128.00")})
    [offer] = [o for o in policies.suggest_offers(facts) if o["code"] == "plan_upgrade"]
    assert offer["target_plan"] == "gotone-128" and offer["target_fee"] == "128.00"


def test_the_scan_names_the_next_plan_up(org):
    from retention.sql.signals import offers_sql

    customer = org.book[org.am1.pk][0]
    line = LineFactory(customer=customer)
    up = PlanFactory(brand=line.plan.brand, code="next-up", name="上一档", monthly_fee=line.plan.monthly_fee + 40)
    PlanFactory(brand=line.plan.brand, code="far-up", name="更高档", monthly_fee=line.plan.monthly_fee + 100)
    params = {}
    sql = offers_sql(params)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT {sql} FROM (SELECT %(id)s::bigint AS id, 0::numeric AS avg_spend, false AS "
                    f"single_product, 95::numeric AS saturation) s", {**params, "id": customer.pk})
        offers = cur.fetchone()[0]
    offers = offers if isinstance(offers, list) else __import__("json").loads(offers)
    [offer] = [o for o in offers if o["code"] == "plan_upgrade"]
    assert offer["target_plan"] == up.code and offer["target_plan_name"] == "上一档"


def test_report_counts_verified_retentions_and_the_alert_page_shows_the_state(client, org):
    """A "retained" claim is pending until its check day: the report leaves it out of the rate and shows it
    apart; the alert page says until when, then confirmed with the points earned (or reverted)."""
    from django.urls import reverse
    from django.utils import translation

    kept, left = org.book[org.am1.pk][0], org.book[org.am1.pk][1]
    LineFactory(customer=kept)
    line = LineFactory(customer=left)
    alert = retain(open_alert(kept, score=70), org.am1)
    lost = retain(open_alert(left, score=90), org.am1)
    [row] = selectors.effectiveness(user=org.am1)
    assert (row["closed"], row["retained"], row["pending"], row["retention_rate"]) == (2, 0, 2, 0)
    client.force_login(org.am1)
    with translation.override("zh-hans"):
        page = client.get(reverse("retention:alert", args=[alert.pk])).content.decode()
        pending = translation.gettext("pending until %(day)s") % {"day": f"{alert.verify_on:%Y-%m-%d}"}
    assert pending in page.split('id="alert-verification"')[1].split("</td>")[0]
    type(line).objects.filter(pk=line.pk).update(status="closed", closed_on=timezone.localdate())
    verify_in_process(timezone.localdate() + timedelta(days=90))
    [row] = selectors.effectiveness(user=org.am1)
    # one confirmed, one reverted to churned: 1 of 2 decided
    assert (row["closed"], row["retained"], row["pending"], row["retention_rate"]) == (2, 1, 0, 50.0)
    assert row["points"] == policies.incentive_points(70)
    with translation.override("zh-hans"):
        page = client.get(reverse("retention:alert", args=[alert.pk])).content.decode()
        points = translation.gettext("%(p)s for keeping a high-risk customer + %(v)s for raising value") % {
            "p": policies.incentive_points(70), "v": 0}
        reverted = client.get(reverse("retention:alert", args=[lost.pk])).content.decode()
        day = timezone.localdate() + timedelta(days=90)
        left_text = translation.gettext("reverted on %(day)s: the customer left") % {"day": f"{day:%Y-%m-%d}"}
    assert points in page.split('id="alert-points"')[1].split("</td>")[0]
    assert left_text in reverted
