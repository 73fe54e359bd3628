"""The set-based bulk postings end where the same items posted one by one end: balances, bills paid, ledger,
barring state restored, line status; and a repeat of an item is refused by its natural key. Bulk postings answer
(and apply) the barring state the policy gives now, set-based (arrears.realtime), exactly as the single posts: the
answer, barring events, decision events, line status and its log, customer status and SMS; a refused item in
all-or-nothing mode changes nothing."""

import uuid
from decimal import Decimal

import pytest
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears.models import BarringEvent, Bill, LedgerEntry, LineAccount, Payment
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


def _lines(n):
    lines = [LineFactory(customer__join_date="2024-01-01") for _ in range(n)]
    for line in lines:
        line.customer.credit_star, line.customer.credit_limit = 2, Decimal("20.00")
        line.customer.save()
    return lines


def _items(lines, tag):
    bills = [{"msisdn": ln.msisdn, "period": period, "amount": amount, "due_date": due}
             for ln in lines for period, amount, due in (("2026-09", "88.00", "2026-10-20"),
                                                         ("2026-10", "60.00", "2026-11-20"))]
    payments = [{"msisdn": ln.msisdn, "amount": amount, "paid_at": "2026-11-23T10:00:00+08:00", "channel": "counter",
                 "reference": f"{tag}-{i}-{k}"}
                for i, ln in enumerate(lines) for k, amount in enumerate(("50.00", "70.00"))]
    return bills, payments


def _state(lines):
    return [(LineAccount.objects.get(pk=ln.pk).balance, LineAccount.objects.get(pk=ln.pk).state,
             sorted(Bill.objects.filter(line=ln).values_list("period", "paid_amount")),
             LedgerEntry.objects.filter(line=ln).count()) for ln in lines]


def test_bulk_ends_where_one_by_one_ends(billing):
    single, bulk = _lines(3), _lines(3)
    bills, payments = _items(single, "s")
    for bill in bills:
        assert post(billing, "/api/billing/bills/", bill).status_code == 201
    for payment in payments:
        assert post(billing, "/api/billing/payments/", payment).status_code == 201
    bills, payments = _items(bulk, "b")
    answer = post(billing, "/api/billing/bills/bulk/", {"items": bills})
    assert answer.status_code == 201 and answer.json()["posted"] == 6
    assert [r["balance"] for r in answer.json()["results"]][:2] == ["-88.00", "-148.00"]
    answer = post(billing, "/api/billing/payments/bulk/", {"items": payments})
    assert answer.status_code == 201 and [r["balance"] for r in answer.json()["results"]][:2] == ["-98.00", "-28.00"]
    assert _state(single) == _state(bulk)
    assert Bill.objects.get(line=bulk[0], period="2026-09-01").paid_amount == Decimal("88.00")
    assert Bill.objects.get(line=bulk[0], period="2026-10-01").paid_amount == Decimal("32.00")


def test_a_repeated_item_is_refused_by_its_natural_key(billing):
    (line,) = _lines(1)
    bills, payments = _items([line], "r")
    assert post(billing, "/api/billing/bills/bulk/", {"items": bills}).status_code == 201
    again = post(billing, "/api/billing/bills/bulk/", {"items": bills})
    assert again.status_code == 400 and Bill.objects.filter(line=line).count() == 2
    twice = post(billing, "/api/billing/payments/bulk/", {"items": [payments[0], payments[0]], "partial": True})
    assert twice.json()["posted"] == 1 and twice.json()["errors"][0]["index"] == 1
    assert Payment.objects.filter(line=line).count() == 1


def test_bulk_status_applies_in_order_and_a_closed_line_changes_no_more(billing):
    (line,) = _lines(1)
    items = [{"msisdn": line.msisdn, "status": status, "changed_at": "2026-11-23T10:00:00+08:00", "reason": "billing"}
             for status in ("one_way_barred", "active", "closed")]
    answer = post(billing, "/api/billing/line-status/bulk/", {"items": items})
    assert answer.status_code == 201 and [r["changed"] for r in answer.json()["results"]] == [True, True, True]
    assert Line.objects.get(pk=line.pk).status == "closed"
    assert list(LineStatusChange.objects.filter(line=line).order_by("id").values_list("to_status", flat=True)) == [
        "one_way_barred", "active", "closed"]
    line.customer.refresh_from_db()
    assert line.customer.status == "closed" and line.customer.credit_star is None
    # within the number's retention period a later status reactivates it (the single path's rule, customers.intake)
    reopened = post(billing, "/api/billing/line-status/bulk/", {"items": [{**items[0]}]})
    assert reopened.status_code == 201 and Line.objects.get(pk=line.pk).status == "one_way_barred"


def _lines_with_limits(limits):
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


def _barring_effects(lines):
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
    single, bulk = _lines_with_limits(LIMITS), _lines_with_limits(LIMITS)
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
    assert _barring_effects(single) == _barring_effects(bulk)
    assert Line.objects.get(pk=bulk[2].pk).status == "one_way_barred"
    assert DecisionEvent.objects.filter(line=bulk[2], kind="barred_one_way").exists()


def test_a_bulk_payment_restores_as_the_single_payment_does(billing):
    single, bulk = _lines_with_limits(LIMITS), _lines_with_limits(LIMITS)
    assert post(billing, "/api/billing/bills/bulk/", {"items": _bills(single) + _bills(bulk)}).status_code == 201
    payments = [{"msisdn": ln.msisdn, "amount": "60.00", "paid_at": "2026-11-24T09:00:00+08:00",
                 "channel": "counter", "reference": f"p-{ln.pk}"} for ln in single + bulk]
    answers = [_answer(post(billing, "/api/billing/payments/", p).json()) for p in payments[:3]]
    response = post(billing, "/api/billing/payments/bulk/", {"items": payments[3:]})
    assert response.status_code == 201 and [_answer(r) for r in response.json()["results"]] == answers
    assert answers[2]["state"] == "active" and answers[2]["restored"] and answers[2]["rule"] == "paid_back"
    assert _barring_effects(single) == _barring_effects(bulk)


def test_a_bulk_usage_answers_the_single_usage_answer(billing):
    single, bulk = _lines_with_limits(LIMITS), _lines_with_limits(LIMITS)
    assert post(billing, "/api/billing/bills/bulk/", {"items": _bills(single) + _bills(bulk)}).status_code == 201
    usage = [{"msisdn": ln.msisdn, "month": "2026-10", "voice_minutes": 300, "data_mb": 4096, "sms_count": 9,
              "plan_saturation": "71.00", "bill_amount": "58.00", "prepaid_balance": "0.00"} for ln in single + bulk]
    answers = [_answer(post(billing, "/api/billing/usage/", u).json()) for u in usage[:3]]
    response = post(billing, "/api/billing/usage/bulk/", {"items": usage[3:]})
    assert response.status_code == 201 and [_answer(r) for r in response.json()["results"]] == answers
    assert [a["state"] for a in answers] == ["active", "reminded", "one_way_barred"]


def test_a_bulk_usage_applies_what_is_due_as_the_single_usage_does(billing):
    """Usage changes nothing the decision reads: the bulk reads the answer unlocked and locks and decides only the
    lines with something to write. Here a move is due (an account put below zero behind the decision's back: the
    clock starts, one-way barring is applied at once), a line has no account yet, a closed line, and a line with
    nothing to write: the same answers and effects as usage posted one by one."""
    single, bulk = _lines_with_limits(LIMITS), _lines_with_limits(LIMITS)
    assert post(billing, "/api/billing/bills/bulk/", {"items": _bills(single) + _bills(bulk)}).status_code == 201
    LineAccount.objects.filter(pk__in=[single[0].pk, bulk[0].pk]).update(balance=Decimal("-80.00"))
    LineAccount.objects.filter(pk__in=[single[2].pk, bulk[2].pk]).update(state="closed")
    single.append(_lines_with_limits(["30.00"])[0])  # no account yet: opened from billing's figures
    bulk.append(_lines_with_limits(["30.00"])[0])
    usage = [{"msisdn": ln.msisdn, "month": "2026-10", "voice_minutes": 300, "data_mb": 4096, "sms_count": 9,
              "plan_saturation": "71.00", "bill_amount": "58.00", "prepaid_balance": "0.00"} for ln in single + bulk]
    answers = [_answer(post(billing, "/api/billing/usage/", u).json()) for u in usage[:4]]
    response = post(billing, "/api/billing/usage/bulk/", {"items": usage[4:]})
    assert response.status_code == 201 and [_answer(r) for r in response.json()["results"]] == answers
    assert [a["state"] for a in answers] == ["one_way_barred", "reminded", "closed", "active"]
    assert answers[0]["applied"] and answers[0]["rule"] == "usable_below_zero"
    assert _barring_effects(single) == _barring_effects(bulk)
    assert LineAccount.objects.get(pk=bulk[0].pk).arrears_since is not None
    assert LineAccount.objects.filter(pk=bulk[3].pk).exists()


NOTHING_SEEN = {"PAYMENTS_SEEN": "SELECT NULL WHERE %s::text[] IS NULL",
                "BILLS_SEEN": "SELECT NULL, NULL WHERE %s::bigint[] IS NULL AND %s::date[] IS NULL"}


@pytest.mark.parametrize("kind", ["payment", "bill", "ledger"])
def test_an_item_posted_meanwhile_fails_the_batch_as_a_duplicate_and_writes_nothing(billing, monkeypatch, kind):
    """The batch checks its natural keys before writing; an item a concurrent request posted after that check (here:
    the check blinded) is caught by the write's unique key: 400 "... meanwhile", nothing of the batch written, and
    the request's transaction still usable (the queries after it run)."""
    a, b = _lines(2)
    bills, payments = _items([a, b], f"meanwhile-{kind}")
    if kind == "ledger":  # the reference the ledger entry of payments[1] would take is there already
        LedgerEntry.objects.create(line=b, kind="payment", amount=Decimal("1.00"), posted_at="2026-11-23T10:00Z",
                                   reference=f"payment-{payments[1]['reference']}")
    else:
        url = f"/api/billing/{kind}s/bulk/"
        item = (bills if kind == "bill" else payments)[1]
        assert post(billing, url, {"items": [item]}).status_code == 201
        for name, blind in NOTHING_SEEN.items():
            monkeypatch.setattr(f"arrears.bulk.{name}", blind)
    before = (Payment.objects.count(), Bill.objects.count(), LedgerEntry.objects.count(),
              sorted(LineAccount.objects.filter(pk__in=(a.pk, b.pk)).values_list("pk", "balance")))
    url = "/api/billing/bills/bulk/" if kind == "bill" else "/api/billing/payments/bulk/"
    response = post(billing, url, {"items": [(bills if kind == "bill" else payments)[i] for i in (0, 1)]})
    assert response.status_code == 400
    expected = {"payment": "A payment of this batch was received meanwhile: nothing was written.",
                "bill": "A bill of this batch was received meanwhile: nothing was written.",
                "ledger": "A ledger reference of this batch was posted meanwhile: nothing written."}[kind]
    assert expected in response.content.decode()
    assert before == (Payment.objects.count(), Bill.objects.count(), LedgerEntry.objects.count(),
                      sorted(LineAccount.objects.filter(pk__in=(a.pk, b.pk)).values_list("pk", "balance")))


def test_a_refused_item_changes_nothing_all_or_nothing(billing):
    lines = _lines_with_limits(LIMITS)
    bills = _bills(lines)
    bills.append({**bills[0], "amount": "1.00"})  # the same line and month twice in one batch
    response = post(billing, "/api/billing/bills/bulk/", {"items": bills})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["items[3].period"]
    assert not Bill.objects.filter(line__in=lines).exists()
    assert not BarringEvent.objects.filter(line__in=lines).exists()
    assert not DecisionEvent.objects.filter(line__in=lines).exists()
    assert [Line.objects.get(pk=ln.pk).status for ln in lines] == ["active"] * 3
