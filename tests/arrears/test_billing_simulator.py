"""Acceptance of issue 20 (decisions out, decisions on intake): a billing simulator on loopback.

It posts a month of usage, bills and payments in bulk through the API of a live server, with a nightly evaluation
between them and a credit officer's limit change, and learns every decision only as billing would: from the
event cursor (paged) and from a signed webhook (a tiny http.server thread whose first answer is an error, so a
retry is needed). Its own view of every line (barring status, credit limit) must equal the product's
(/api/credit-status/bulk/), and the webhook view must equal the cursor view."""

import json
import random
import threading
import uuid
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from arrears.evaluation import evaluate_in_process
from credit.services import credit_limit_change, legacy_grade_import
from customers.models import Customer
from tests.factories import CustomerFactory, LineFactory
from webhooks import policies as webhook_policies
from webhooks.models import WebhookDelivery
from webhooks.tasks import webhooks_dispatch

pytestmark = pytest.mark.django_db(transaction=True)
GRADES = ["AAA", "AA", "A", "BBB", "BB", "B"]  # 5★ … 0★: initial limits 300, 200, 50, 20, 10, 0
SECRET = "simulator-secret-0123456789"
BARRING_STATUS = {"barred_one_way": None, "barred_two_way": None, "restored": "active", "closed": "closed"}


class Receiver(BaseHTTPRequestHandler):
    """Billing's webhook endpoint: checks the signature, answers 503 once, then records what it is sent."""

    received: list[dict] = []
    refused_signatures = 0
    fail_next = 1

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if not webhook_policies.signature_valid(SECRET, body, self.headers.get("X-Signature", "")):
            Receiver.refused_signatures += 1
            self.send_response(401)
        elif Receiver.fail_next:
            Receiver.fail_next -= 1
            self.send_response(503)
        else:
            Receiver.received.append(json.loads(body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received, Receiver.refused_signatures, Receiver.fail_next = [], 0, 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/decisions"
    server.shutdown()
    server.server_close()


class Billing:
    """The simulator: posts through the API with the billing service account's token, keeps its own view."""

    def __init__(self, base_url: str, token: str):
        self.base, self.session = base_url, requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.cursor, self.status, self.limit, self.seen = 0, {}, {}, []

    def post(self, path: str, body: dict) -> dict:
        response = self.session.post(self.base + path, json=body, timeout=60,
                                     headers={"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code in (200, 201), response.text[:500]
        return response.json()

    def read_events(self, page_size: int = 7) -> None:
        """At least once, paged: ask for what comes after the last id acted on until there is no more."""
        while True:
            page = self.session.get(f"{self.base}/api/billing/events/",
                                    params={"after": self.cursor, "limit": page_size}, timeout=30).json()
            for event in page["events"]:
                assert event["id"] > self.cursor  # ordered, never the same event twice in one reading
                self.apply(event)
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return

    def apply(self, event: dict) -> None:
        self.seen.append(event)
        view_of(self.status, self.limit, event)


def view_of(status: dict, limit: dict, event: dict) -> None:
    """What billing does with one event: bar, restore, close the line, or set its credit limit."""
    if event["kind"] in BARRING_STATUS:
        status[event["msisdn"]] = BARRING_STATUS[event["kind"]] or event["to_state"]
    elif event["kind"] == "credit_limit_changed":
        limit[event["msisdn"]] = Decimal(event["details"]["creditLimit"])


def product_view(billing: Billing, msisdns: list[str]) -> dict:
    rows = billing.post("/api/credit-status/bulk/", {"msisdns": msisdns})["results"]
    return {r["msisdn"]: (r["line_status"], Decimal(r["credit_limit"])) for r in rows}


def test_billing_simulator_ends_with_the_products_barring_view(live_server, org, receiver, monkeypatch):
    monkeypatch.setattr(webhook_policies, "RETRY", webhook_policies.RetryPolicy(first_delay_seconds=0))
    rng = random.Random(20)
    lines = []
    for i in range(24):
        line = LineFactory(customer=CustomerFactory())
        legacy_grade_import(customer=line.customer, grade=GRADES[i % len(GRADES)])  # the product derives limits
        lines.append(line)
    msisdns = [line.msisdn for line in lines]
    limits = {line.msisdn: Customer.objects.get(pk=line.customer_id).credit_limit for line in lines}

    admin = Client()
    admin.force_login(org.admin)
    added = admin.post("/webhooks/add/", {"name": "计费系统", "url": receiver, "secret": SECRET, "active": "on"})
    assert added.status_code == 302, added.content[:500]

    billing = Billing(live_server.url, Token.objects.create(user=org.billing_service).key)
    today = timezone.localdate()
    period = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    due = max(period, today - timedelta(days=1))

    # 1. the month's usage: opens each line's account from billing's prepaid balance (zero)
    usage = billing.post("/api/billing/usage/bulk/", {"items": [
        {"msisdn": m, "month": f"{period:%Y-%m}", "voice_minutes": 100, "data_mb": 1024, "sms_count": 3,
         "plan_saturation": "50.00", "bill_amount": "0.00", "prepaid_balance": "0.00"} for m in msisdns]})
    assert usage["posted"] == len(msisdns)

    # 2. the month's bills: some within the limit, some just over it (usable −0.01), some far over
    amounts = {m: max(Decimal("0.00"), limits[m] + rng.choice([Decimal("-30"), Decimal("-3"), Decimal("0.01"),
                                                                Decimal("40")])) for m in msisdns}
    bills = billing.post("/api/billing/bills/bulk/", {"items": [
        {"msisdn": m, "period": f"{period:%Y-%m}", "amount": f"{amounts[m]:.2f}", "due_date": f"{due:%Y-%m-%d}"}
        for m in msisdns]})
    answered = {r["msisdn"]: r for r in bills["results"]}
    over = [m for m in msisdns if amounts[m] > limits[m]]
    assert over and all(answered[m]["state"] == "one_way_barred" and answered[m]["applied"] for m in over), \
        "a bill that takes usable credit below zero is answered (and applied as) one-way barring at once"
    billing.read_events()
    assert {billing.status[m] for m in over} == {"one_way_barred"}

    # 3. the night: late fees on the overdue bills take more lines below zero
    evaluate_in_process(today)
    billing.read_events()

    # 4. payments: some pay everything back, some a part
    payers = msisdns[::2]
    paid = {m: amounts[m] + Decimal("5.00") if i % 2 else max(amounts[m] / 2, Decimal("1.00"))
            for i, m in enumerate(payers)}  # the bill and its late fees, or half of it
    payments = billing.post("/api/billing/payments/bulk/", {"items": [
        {"msisdn": m, "amount": f"{paid[m]:.2f}", "paid_at": timezone.now().isoformat(), "channel": "counter",
         "reference": f"sim-{m}"} for m in payers]})
    assert payments["posted"] == len(payers)
    assert any(r["restored"] for r in payments["results"]), "a payment back to usable ≥ 0 restores at once"

    # 5. a credit officer raises a 3★ limit within its range; the next night evaluates with it
    three_star = next(line for line in lines if limits[line.msisdn] == Decimal("50.00"))
    credit_limit_change(customer=three_star.customer, amount=Decimal("100.00"), reason="按时缴费",
                        by=org.credit_officer)
    evaluate_in_process(today + timedelta(days=1))
    billing.read_events(page_size=3)

    # the simulator's own view equals the product's, for every line
    product = product_view(billing, msisdns)
    mine = {m: (billing.status.get(m, "active"), billing.limit.get(m, Decimal("0.00"))) for m in msisdns}
    assert mine == product
    assert {s for s, _ in product.values()} >= {"active", "one_way_barred"}, "the month bars and restores lines"
    kinds = {e["kind"] for e in billing.seen}
    assert {"barred_one_way", "restored", "credit_limit_changed"} <= kinds
    assert all(e["policy_version"] and e["rule"] and e["occurred_at"] for e in billing.seen)

    # the same decisions, pushed: signed, retried after the receiver's 503, ending in the same view
    for _ in range(5):
        webhooks_dispatch()
        if not WebhookDelivery.objects.exclude(status="delivered").exists():
            break
    assert Receiver.refused_signatures == 0
    assert WebhookDelivery.objects.filter(attempts=2, status="delivered").count() == 1  # the 503, then delivered
    pushed_status, pushed_limit = {}, {}
    for event in sorted(Receiver.received, key=lambda e: e["id"]):  # receivers order by the event id
        view_of(pushed_status, pushed_limit, event)
    assert sorted(e["id"] for e in Receiver.received) == sorted(e["id"] for e in billing.seen)
    assert (pushed_status, pushed_limit) == (billing.status, billing.limit)

    # a replay from the start sends everything again (at least once: receivers de-duplicate by id)
    subscriber = WebhookDelivery.objects.first().subscriber
    replay = admin.post(f"/webhooks/{subscriber.pk}/replay/", {"after": "0"})
    assert replay.status_code == 302
    webhooks_dispatch()
    assert len(Receiver.received) == 2 * len(billing.seen)
    log = admin.get("/webhooks/deliveries/", {"subscriber": subscriber.pk})
    assert log.status_code == 200 and billing.seen[0]["msisdn"].encode() in log.content
