"""Seams between the merged branches: a decision taken on one branch's path reaches billing's event log
(customers.events) in the same transaction — billing's own closure, the credit-state service's end of credit
(closure, blacklisting) — and a billing reactivation within the window is answered without error."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.tasks import dispatch_run
from credit.batches import BASE_KIND
from customers.models import DecisionEvent
from retention import evaluation
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db
STATUS, EVENTS = "/api/billing/line-status/", "/api/billing/events/"


@pytest.fixture
def billing(org):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return api


def report(api, line, status, at, reason="客户申请销户"):
    return api.post(STATUS, {"msisdn": line.msisdn, "status": status, "changed_at": at, "reason": reason},
                    format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def kinds(api, line):
    response = api.get(EVENTS, {"after": 0, "limit": 1000})
    assert response.status_code == 200, response.content
    return [(e["kind"], e["from_state"], e["to_state"]) for e in response.json()["events"] if e["line_id"] == line.pk]


@freeze_time("2026-11-24 10:00:00+08:00")
def test_a_billing_cancellation_is_a_closed_event_and_ends_credit_with_a_limit_event(billing):
    line = LineFactory(customer__credit_star=3, customer__credit_limit=Decimal("50.00"))
    assert report(billing, line, "closed", "2026-11-20T16:00:00+08:00").status_code == 201
    line.customer.refresh_from_db()
    assert (line.customer.credit_star, line.customer.credit_limit) == (None, 0)
    assert kinds(billing, line) == [("closed", "active", "closed"), ("credit_limit_changed", "50.00", "0.00")]
    counts = evaluation.score_outcome_counts(line.customer_id, line.customer_id + 1, date(2026, 11, 1))
    assert [churned for _, churned, _ in counts] == [True]
    # The same report again changes nothing and writes nothing more.
    assert report(billing, line, "closed", "2026-11-20T16:00:00+08:00").status_code in (200, 201)
    assert DecisionEvent.objects.filter(line=line).count() == 2


def test_a_reactivation_within_the_window_reopens_but_credit_stays_ended_until_the_next_base_run(billing):
    with freeze_time("2026-06-01 10:00:00+08:00"):
        line = LineFactory(customer__credit_star=3, customer__credit_limit=Decimal("50.00"),
                           customer__join_date=date(2010, 1, 1), customer__avg_monthly_spend=Decimal("250.00"),
                           customer__data_completeness=100)
        assert report(billing, line, "closed", "2026-06-01T09:00:00+08:00").status_code == 201
    with freeze_time("2026-07-01 10:00:00+08:00"):
        response = report(billing, line, "active", "2026-07-01T09:00:00+08:00", reason="客户复机")
        assert response.status_code == 201, response.json()
        line.refresh_from_db()
        line.customer.refresh_from_db()
        assert (line.status, line.customer.status) == ("active", "active")
        # Credit does not come back with the number: the customer is unrated (eligible again for the next
        # base run, which rates unrated open customers), and billing is told nothing about a limit.
        assert (line.customer.credit_star, line.customer.credit_limit) == (None, 0)
        assert [k for k, _, _ in kinds(billing, line)] == ["closed", "credit_limit_changed"]
        dispatch_run(BASE_KIND, "2026-07")  # the month's base run rates the reopened customer again
        line.customer.refresh_from_db()
        assert line.customer.credit_star is not None and line.customer.credit_limit > 0
        assert kinds(billing, line)[-1] == ("credit_limit_changed", "0.00", f"{line.customer.credit_limit:.2f}")


@freeze_time("2026-11-24 10:00:00+08:00")
def test_a_final_bill_after_billings_closure_does_not_reopen_the_line(billing):
    line = LineFactory(customer__credit_star=3, customer__credit_limit=Decimal("50.00"))
    assert billing.post("/api/billing/payments/", {"msisdn": line.msisdn, "amount": "10.00", "channel": "bank",
                                                   "reference": "p-open", "paid_at": "2026-11-01T10:00:00+08:00"},
                        format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex).status_code == 201
    assert report(billing, line, "closed", "2026-11-20T16:00:00+08:00").status_code == 201
    final = billing.post("/api/billing/bills/", {"msisdn": line.msisdn, "period": "2026-11", "amount": "58.00",
                                                 "due_date": "2026-12-10"},
                         format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert final.status_code == 201, final.json()
    assert final.json()["state"] == "closed"
    line.refresh_from_db()
    line.customer.refresh_from_db()
    assert (line.status, line.closed_on, line.customer.status) == ("closed", date(2026, 11, 20), "closed")
    assert [k for k, _, _ in kinds(billing, line)] == ["closed", "credit_limit_changed"]


@freeze_time("2026-11-24 10:00:00+08:00")
def test_no_emergency_pass_on_a_line_billing_closed(billing):
    from arrears.services import EmergencyRefused, emergency_pass_grant

    line = LineFactory(customer__credit_star=4, customer__credit_limit=Decimal("200.00"))
    LineFactory(customer=line.customer)  # the customer stays open and rated
    assert report(billing, line, "closed", "2026-11-20T16:00:00+08:00").status_code == 201
    line.refresh_from_db()
    from arrears.policies import EMERGENCY_CLOSED

    with pytest.raises(EmergencyRefused) as refused:
        emergency_pass_grant(line=line, channel="app")
    assert refused.value.rule == EMERGENCY_CLOSED[0]
    line.refresh_from_db()
    assert line.status == "closed"
