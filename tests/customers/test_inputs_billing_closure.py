"""Billing's word is final: a cancellation posted to /api/billing/line-status/ closes the line on billing's date
like the product's own closure (customer closed, churn counts it, the retention queue drops the customer,
customers_closed sent for credit), and a reactivation within the number retention period reopens it."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers import policies
from customers.models import Line
from customers.signals import customers_closed, customers_reopened
from retention import evaluation
from retention.models import AlertEvent
from tests.factories import LineFactory
from tests.retention.conftest import open_alert

pytestmark = pytest.mark.django_db
STATUS = "/api/billing/line-status/"


@pytest.fixture
def billing(org):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return api


@pytest.fixture
def sent():
    calls = {"closed": [], "reopened": []}

    def on_closed(sender, **kw):
        calls["closed"].append(kw)

    def on_reopened(sender, **kw):
        calls["reopened"].append(kw)

    customers_closed.connect(on_closed, dispatch_uid="test-closed")
    customers_reopened.connect(on_reopened, dispatch_uid="test-reopened")
    yield calls
    customers_closed.disconnect(dispatch_uid="test-closed")
    customers_reopened.disconnect(dispatch_uid="test-reopened")


def report(api, line, status, at, reason="客户申请销户"):
    return api.post(STATUS, {"msisdn": line.msisdn, "status": status, "changed_at": at, "reason": reason},
                    format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


@freeze_time("2026-11-24 10:00:00+08:00")
def test_a_billing_cancellation_closes_on_billings_date_and_the_customer_churns(billing, sent, org):
    line = LineFactory(customer=org.book[org.am1.pk][0])
    alert = open_alert(line.customer)
    response = report(billing, line, "closed", "2026-11-20T16:00:00+08:00")
    assert response.status_code == 201, response.json()
    line.refresh_from_db()
    assert (line.status, line.closed_on) == ("closed", date(2026, 11, 20))  # billing's date, not today
    assert line.customer.status == "closed"
    assert sent["closed"] == [{"signal": customers_closed, "customer_ids": [line.customer_id],
                               "on": date(2026, 11, 20), "reason": "all lines closed (billing): 客户申请销户",
                               "by": org.billing_service}]
    counts = evaluation.score_outcome_counts(line.customer_id, line.customer_id + 1, date(2026, 11, 1))
    assert [churned for _, churned, _ in counts] == [True]  # the churn evaluation counts it
    alert.refresh_from_db()
    assert alert.status == "churned" and alert.closed_at is not None and "客户申请销户" in alert.outcome
    assert AlertEvent.objects.get(alert=alert).to_status == "churned"
    assert billing.get(f"/api/lines/{line.pk}/").json()["closed_on"] == "2026-11-20"
    page = APIClient()
    page.force_login(org.am1)
    html = page.get(f"/customers/{line.customer_id}/").content.decode()
    assert "2026-11-20" in html and "2027-02-18" in html  # closed on billing's day; number kept 90 days


@pytest.mark.skipif(not any("credit" in repr(receiver) for receiver in customers_closed.receivers),
                    reason="credit ends through h-credit's customers_closed receiver (connected after the merge)")
@freeze_time("2026-11-24 10:00:00+08:00")
def test_a_billing_cancellation_leaves_the_customer_unrated(billing):
    line = LineFactory(customer__credit_star=3, customer__credit_limit=Decimal("50.00"))
    assert report(billing, line, "closed", "2026-11-20T16:00:00+08:00").status_code == 201
    line.customer.refresh_from_db()
    assert line.customer.credit_star is None and line.customer.credit_limit == 0


@freeze_time("2026-11-24 10:00:00+08:00")
def test_closing_one_of_two_lines_keeps_the_customer_open_and_sends_nothing(billing, sent):
    line = LineFactory()
    LineFactory(customer=line.customer)
    assert report(billing, line, "closed", "2026-11-20T16:00:00+08:00").status_code == 201
    line.refresh_from_db()
    assert line.closed_on == date(2026, 11, 20) and line.customer.status == "active"
    assert sent["closed"] == []


@pytest.mark.parametrize("star, days_later, reopens", [
    (2, 90, True), (2, 91, False), (4, 120, True), (5, 121, False), (None, 90, True),
])
def test_reactivation_reopens_within_the_number_retention_period_only(billing, sent, star, days_later, reopens):
    with freeze_time("2026-06-01 10:00:00+08:00"):
        line = LineFactory(customer__credit_star=star)
        assert report(billing, line, "closed", "2026-06-01T09:00:00+08:00").status_code == 201
    back = date.fromordinal(date(2026, 6, 1).toordinal() + days_later)
    with freeze_time(f"{back.isoformat()} 10:00:00+08:00"):
        response = report(billing, line, "active", f"{back.isoformat()}T09:00:00+08:00", reason="客户复机")
    line.refresh_from_db()
    if reopens:
        assert response.status_code == 201, response.json()
        assert (line.status, line.closed_on, line.reopen_until) == ("active", None, None)
        assert line.customer.status == "active"
        assert [c["customer_ids"] for c in sent["reopened"]] == [[line.customer_id]]
    else:
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["field"] == "status" and error["code"] == "retention_period_over"
        assert line.status == "closed" and sent["reopened"] == []


@freeze_time("2026-11-24 10:00:00+08:00")
def test_a_line_closed_by_the_arrears_run_cannot_be_reactivated(billing):
    line = LineFactory(status="closed", closed_on=date(2026, 11, 1))  # no number kept: reclaimed
    response = report(billing, line, "active", "2026-11-24T09:00:00+08:00")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "number_reclaimed"
    assert Line.objects.get(pk=line.pk).status == "closed"


def test_the_retention_periods_are_the_credit_policys():
    from credit.policies import STAR_POLICIES

    assert {star: policies.number_retention_days(star) for star in STAR_POLICIES} == {
        star: p.retention_days for star, p in STAR_POLICIES.items()}


def test_the_arrears_runs_closure_sends_customers_closed_too_and_drops_the_alert(sent):
    from tests.arrears.test_evaluation import TODAY, account, evaluate

    from arrears.choices import BarringState as S

    expired = account(balance="-400.00", state=S.TWO_WAY, star=2, days_in_state=90, days_in_arrears=200)
    alert = open_alert(expired.customer)
    with freeze_time("2026-11-24 03:00:00+08:00"):
        evaluate(expired)
    assert expired.line.closed_on == TODAY
    assert [(c["customer_ids"], c["on"]) for c in sent["closed"]] == [([expired.customer_id], TODAY)]
    alert.refresh_from_db()
    assert alert.status == "churned" and "arrears run" in alert.outcome
