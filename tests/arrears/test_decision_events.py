"""Decision events (issue 20): written with each decision on every path, numbered in commit order, read by
cursor within the reader's scope; webhook rules (signature, backoff, give-up) as pure functions and deliveries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from arrears import services
from arrears.choices import BarringState as S
from arrears.evaluation import evaluate_chunk
from arrears.models import EmergencyPass, LineAccount
from credit.services import credit_limit_change, legacy_grade_import
from customers.events import events_sequence
from customers.models import DecisionEvent
from tests.factories import LineFactory
from webhooks import policies, services as webhook_services
from webhooks.models import WebhookDelivery, WebhookSubscriber

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def account(*, balance, state=S.ACTIVE, star=3, limit="100.00", days_in_arrears=None, customer=None):
    line = LineFactory(status={S.REMINDED: "active"}.get(state, state), **({"customer": customer} if customer else {}))
    line.customer.credit_star, line.customer.credit_limit = star, Decimal(limit)
    line.customer.save()
    return LineAccount.objects.create(
        line=line, customer=line.customer, balance=Decimal(balance), state=state,
        state_since=TODAY() - timedelta(days=40),
        arrears_since=None if days_in_arrears is None else TODAY() - timedelta(days=days_in_arrears))


def events(line):
    return list(DecisionEvent.objects.filter(line=line).order_by("id").values_list("kind", "from_state", "to_state",
                                                                                  "rule", "policy_version"))


def test_the_nightly_run_writes_barring_events_with_its_changes_and_none_for_reminders():
    barred = account(balance="-100.01")  # usable −0.01: one-way
    two_way = account(balance="-150.00", state=S.ONE_WAY, days_in_arrears=30)
    reminded = account(balance="-90.00")  # usable 10 < 20: a reminder, nothing for billing
    for acc in (barred, two_way, reminded):
        evaluate_chunk(acc.pk, acc.pk + 1, TODAY())
    assert events(barred.line) == [("barred_one_way", "active", "one_way_barred", "usable_below_zero", "barring-v1")]
    assert events(two_way.line) == [("barred_two_way", "one_way_barred", "two_way_barred", "arrears_30_days",
                                     "barring-v1")]
    assert events(reminded.line) == []
    event = DecisionEvent.objects.get(line=barred.line)
    assert event.payload == {"accountBalance": "-100.01", "creditLimit": "100.00", "usableCredit": "-0.01"}
    assert event.msisdn == barred.line.msisdn and event.customer_id == barred.customer_id


def test_a_bill_below_zero_bars_at_once_and_a_payment_restores_with_events():
    acc = account(balance="0.00")
    result = services.bill_record(line=acc.line, period=TODAY().replace(day=1), amount=Decimal("100.01"),
                                  due_date=TODAY() + timedelta(days=10))
    assert (result.state, result.rule, result.applied) == (S.ONE_WAY, "usable_below_zero", True)
    assert LineAccount.objects.get(pk=acc.pk).arrears_since == TODAY()  # the arrears clock starts as at night
    services.payment_record(line=acc.line, amount=Decimal("0.01"), paid_at=timezone.now(), channel="app",
                            reference="r-1")
    assert [e[0] for e in events(acc.line)] == ["barred_one_way", "restored"]
    assert LineAccount.objects.get(pk=acc.pk).arrears_since is None


def test_a_policy_without_immediate_rules_only_answers(monkeypatch):
    acc = account(balance="0.00")
    lazy = services.policies.BarringPolicy(immediate_rules=())
    monkeypatch.setattr(services, "barring_policy_current", lambda: lazy)
    result = services.bill_record(line=acc.line, period=TODAY().replace(day=1), amount=Decimal("150.00"),
                                  due_date=TODAY() + timedelta(days=10))
    assert (result.state, result.applied) == (S.ONE_WAY, False)
    assert LineAccount.objects.get(pk=acc.pk).state == S.ACTIVE and events(acc.line) == []


def test_credit_limit_changes_emergency_passes_and_exemptions_write_events(org):
    customer = org.book[org.am1.pk][0]
    legacy_grade_import(customer=customer, grade="A")  # 3★, 50.00: no line yet, so no event
    acc = account(balance="-120.00", state=S.ONE_WAY, star=3, limit="50.00", days_in_arrears=3, customer=customer)
    closed = LineFactory(customer=customer, status="closed")
    credit_limit_change(customer=customer, amount=Decimal("80.00"), reason="按时缴费", by=org.credit_officer)
    [limit] = DecisionEvent.objects.filter(kind="credit_limit_changed")
    assert (limit.line_id, limit.from_state, limit.to_state, limit.rule) == (acc.pk, "50.00", "80.00", "manual_limit")
    assert not DecisionEvent.objects.filter(line=closed).exists()
    services.emergency_pass_grant(line=acc.line, channel="hotline", by=org.am1)
    kinds = [e[0] for e in events(acc.line)]
    assert kinds == ["credit_limit_changed", "emergency_pass_granted", "restored"]
    EmergencyPass.objects.filter(line=acc.line).update(valid_until=TODAY() - timedelta(days=1))
    evaluate_chunk(acc.pk, acc.pk + 1, TODAY())
    assert "emergency_pass_ended" in [e[0] for e in events(acc.line)]
    services.line_exempt(line=acc.line, until=TODAY() + timedelta(days=30), reason="政府热线",
                         by=org.credit_officer)
    assert events(acc.line)[-1][0] in {"exemption_set", "restored"}
    assert DecisionEvent.objects.filter(line=acc.line, kind="exemption_set").exists()


def test_the_cursor_pages_in_order_within_the_readers_scope(org):
    mine = account(balance="-100.01", customer=org.book[org.am1.pk][0])
    other = account(balance="-100.01", customer=org.book[org.am4.pk][0])
    for acc in (mine, other):
        evaluate_chunk(acc.pk, acc.pk + 1, TODAY())
    assert DecisionEvent.objects.filter(seq__isnull=True).count() == 2
    api = APIClient()
    api.force_authenticate(org.billing_service)
    first = api.get("/api/billing/events/", {"after": 0, "limit": 1}).json()
    assert first["has_more"] and len(first["events"]) == 1
    second = api.get("/api/billing/events/", {"after": first["next_cursor"], "limit": 1}).json()
    assert not second["has_more"] and second["events"][0]["id"] > first["events"][0]["id"]
    assert {first["events"][0]["msisdn"], second["events"][0]["msisdn"]} == {mine.line.msisdn, other.line.msisdn}
    assert api.get("/api/billing/events/", {"after": -1}).status_code == 400
    assert api.get("/api/billing/events/", {"limit": 1001}).status_code == 400
    api.force_authenticate(org.am1)  # no permission to read the log
    assert api.get("/api/billing/events/").status_code == 403


def test_the_sequencer_numbers_later_commits_above_earlier_cursors():
    acc = account(balance="-100.01")
    evaluate_chunk(acc.pk, acc.pk + 1, TODAY())
    assert events_sequence() == 1 and events_sequence() == 0
    top = DecisionEvent.objects.get().seq
    late = account(balance="-100.01")
    evaluate_chunk(late.pk, late.pk + 1, TODAY())
    events_sequence()
    assert DecisionEvent.objects.get(line=late.line).seq == top + 1


def test_signature_and_backoff():
    body = b'{"id":1}'
    header = policies.signature("secret", body)
    assert header.startswith("sha256=") and policies.signature_valid("secret", body, header)
    assert not policies.signature_valid("other", body, header) and not policies.signature_valid("secret", body, "")
    assert [policies.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert policies.retry_delay(30).total_seconds() == 6 * 3600
    assert policies.url_refusal("https://billing.example/hook") is None
    assert policies.url_refusal("http://127.0.0.1:9000/hook") is None
    assert policies.url_refusal("http://billing.example/hook") and policies.url_refusal("file:///etc/passwd")


class Answer:
    def __init__(self, code):
        self.status_code = code


class Session:
    def __init__(self, code):
        self.code, self.sent = code, []

    def post(self, url, data, **kwargs):
        self.sent.append((url, data, kwargs["headers"]))
        return Answer(self.code)


def test_a_delivery_is_signed_retried_and_given_up(monkeypatch):
    subscriber = WebhookSubscriber.objects.create(name="计费", url="https://billing.example/hook", secret="s" * 20,
                                                  kinds=["barred_one_way"])
    acc = account(balance="-100.01")
    evaluate_chunk(acc.pk, acc.pk + 1, TODAY())
    account(balance="-90.00")  # a reminder: no event
    assert webhook_services.deliveries_enqueue() == 1 and webhook_services.deliveries_enqueue() == 0
    failing = Session(500)
    assert webhook_services.deliveries_send(session=failing) == {"delivered": 0, "retrying": 1, "gave_up": 0}
    url, body, headers = failing.sent[0]
    assert headers["X-Signature"] == policies.signature(subscriber.secret, body)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying" and delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=25)  # the backoff: not due yet
    assert webhook_services.deliveries_send(session=failing) == {"delivered": 0, "retrying": 0, "gave_up": 0}
    monkeypatch.setattr(policies, "RETRY", policies.RetryPolicy(first_delay_seconds=0, max_attempts=2))
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhook_services.deliveries_send(session=failing)["gave_up"] == 1
    webhook_services.subscriber_replay(subscriber=subscriber, after=0)
    assert webhook_services.deliveries_enqueue() == 1
    assert webhook_services.deliveries_send(session=Session(204))["delivered"] == 1
