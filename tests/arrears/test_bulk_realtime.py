"""Bulk postings answer (and apply) the barring state the policy gives now, set-based (arrears.realtime), exactly
as the same items posted one by one: the answer, the barring events, decision events, line status and its log,
customer status and SMS. And a refused item in all-or-nothing mode changes nothing."""

import uuid
from decimal import Decimal

import pytest
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears.models import BarringEvent, Bill, LineAccount
from credit.models import SmsMessage
from customers.models import DecisionEvent, Line, LineStatusChange
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with freeze_time("2026-11-24 10:00:00+08:00"):
        yield


@pytest.fixture
def billing(org):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return api


def post(api, url, body):
    return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def _lines(limits):
    lines = []
    for limit in limits:
        line = LineFactory(customer__join_date="2024-01-01")
        line.customer.credit_star, line.customer.credit_limit = 2, Decimal(limit)
        line.customer.save()
        lines.append(line)
    return lines


# usable credit after the bill: 50 - 30 = 20 (stays), 50 - 45 = 5 < 10 (reminded), 20 - 58 < 0 (one-way barred)
LIMITS, AMOUNTS = ("50.00", "50.00", "20.00"), ("30.00", "45.00", "58.00")


def _bills(lines):
    return [{"msisdn": ln.msisdn, "period": "2026-10", "amount": amount, "due_date": "2026-11-20"}
            for ln, amount in zip(lines, AMOUNTS, strict=True)]


def _effects(lines):
    def one(ln):
        ln.refresh_from_db()
        ln.customer.refresh_from_db()
        account = LineAccount.objects.get(pk=ln.pk)
        return (account.state, account.balance, account.arrears_since, ln.status, ln.customer.status,
                list(BarringEvent.objects.filter(line=ln).values_list("from_state", "to_state", "rule", "usable_credit",
                                                                      "by__username")),
                list(DecisionEvent.objects.filter(line=ln).values_list("kind", "from_state", "to_state", "rule")),
                list(LineStatusChange.objects.filter(line=ln).values_list("from_status", "to_status", "reason",
                                                                          "changed_by__username")),
                list(SmsMessage.objects.filter(customer=ln.customer).values_list("event", flat=True)))
    return [one(ln) for ln in lines]


def _answer(row):
    return {k: v for k, v in row.items() if k not in ("msisdn", "index")}


def test_a_bulk_bill_answers_and_applies_the_state_the_single_bill_does(billing):
    single, bulk = _lines(LIMITS), _lines(LIMITS)
    answers = []
    for bill in _bills(single):
        response = post(billing, "/api/billing/bills/", bill)
        assert response.status_code == 201
        answers.append(_answer(response.json()))
    response = post(billing, "/api/billing/bills/bulk/", {"items": _bills(bulk)})
    assert response.status_code == 201
    assert [_answer(r) for r in response.json()["results"]] == answers
    assert [a["state"] for a in answers] == ["active", "reminded", "one_way_barred"]
    assert answers[2]["applied"] and answers[2]["rule"] == "usable_below_zero"
    assert _effects(single) == _effects(bulk)
    assert Line.objects.get(pk=bulk[2].pk).status == "one_way_barred"
    assert DecisionEvent.objects.filter(line=bulk[2], kind="barred_one_way").exists()


def test_a_bulk_payment_restores_as_the_single_payment_does(billing):
    single, bulk = _lines(LIMITS), _lines(LIMITS)
    assert post(billing, "/api/billing/bills/bulk/", {"items": _bills(single) + _bills(bulk)}).status_code == 201
    payments = [{"msisdn": ln.msisdn, "amount": "60.00", "paid_at": "2026-11-24T09:00:00+08:00",
                 "channel": "counter", "reference": f"p-{ln.pk}"} for ln in single + bulk]
    answers = [_answer(post(billing, "/api/billing/payments/", p).json()) for p in payments[:3]]
    response = post(billing, "/api/billing/payments/bulk/", {"items": payments[3:]})
    assert response.status_code == 201 and [_answer(r) for r in response.json()["results"]] == answers
    assert answers[2]["state"] == "active" and answers[2]["restored"] and answers[2]["rule"] == "paid_back"
    assert _effects(single) == _effects(bulk)


def test_a_bulk_usage_answers_the_single_usage_answer(billing):
    single, bulk = _lines(LIMITS), _lines(LIMITS)
    assert post(billing, "/api/billing/bills/bulk/", {"items": _bills(single) + _bills(bulk)}).status_code == 201
    usage = [{"msisdn": ln.msisdn, "month": "2026-10", "voice_minutes": 300, "data_mb": 4096, "sms_count": 9,
              "plan_saturation": "71.00", "bill_amount": "58.00", "prepaid_balance": "0.00"} for ln in single + bulk]
    answers = [_answer(post(billing, "/api/billing/usage/", u).json()) for u in usage[:3]]
    response = post(billing, "/api/billing/usage/bulk/", {"items": usage[3:]})
    assert response.status_code == 201 and [_answer(r) for r in response.json()["results"]] == answers
    assert [a["state"] for a in answers] == ["active", "reminded", "one_way_barred"]


def test_a_refused_item_changes_nothing_all_or_nothing(billing):
    lines = _lines(LIMITS)
    bills = _bills(lines)
    bills.append({**bills[0], "amount": "1.00"})  # the same line and month twice in one batch
    response = post(billing, "/api/billing/bills/bulk/", {"items": bills})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["items[3].period"]
    assert not Bill.objects.filter(line__in=lines).exists()
    assert not BarringEvent.objects.filter(line__in=lines).exists()
    assert not DecisionEvent.objects.filter(line__in=lines).exists()
    assert [Line.objects.get(pk=ln.pk).status for ln in lines] == ["active"] * 3
