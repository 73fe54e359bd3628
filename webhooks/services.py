"""Webhook writes: queue the new events per subscriber (the outbox), deliver what is due, replay from a cursor.

Delivery is at least once: a receiver may get an event again (a retry after a lost answer, a replay) and orders
and de-duplicates by the event's `id`, the same cursor as /api/billing/events/."""

import json

import requests
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core import clock
from customers.api.events import event_document
from customers.events import events_sequence
from customers.models import DecisionEvent
from webhooks import policies, sql
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscriber

CLAIM_BATCH = 200


def deliveries_enqueue() -> int:
    """Number the committed events, then queue each active subscriber's new ones (its kinds) in one
    INSERT … SELECT per subscriber, moving its cursor in the same transaction."""
    events_sequence()
    queued = 0
    for subscriber_id in WebhookSubscriber.objects.filter(active=True).values_list("pk", flat=True):
        with transaction.atomic():
            subscriber = WebhookSubscriber.objects.select_for_update().get(pk=subscriber_id)
            top = DecisionEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", flat=True).first()
            if not top or top <= subscriber.cursor:
                continue
            with connection.cursor() as cur:
                cur.execute(sql.DELIVERIES_ENQUEUE_SQL, {"sub": subscriber.pk, "now": clock.now(),
                                                         "after": subscriber.cursor, "top": top,
                                                         "kinds": list(subscriber.kinds)})
                queued += cur.rowcount
            WebhookSubscriber.objects.filter(pk=subscriber.pk).update(cursor=top)
    return queued


def _claim(now) -> list[int]:
    """Due deliveries, claimed for a minute (another worker skips them), oldest event first."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql.DELIVERIES_CLAIM_SQL,
                    {"now": now, "lease": now + timezone.timedelta(minutes=1), "n": CLAIM_BATCH})
        return sorted(row[0] for row in cur.fetchall())


def _delivery_body(event: DecisionEvent) -> bytes:
    return json.dumps(event_document(event), separators=(",", ":"), sort_keys=True).encode()


def deliveries_send(*, session=None) -> dict[str, int]:
    """POST each due delivery, signed; a 2xx is delivered, anything else is retried after the backoff until the
    policy gives up. Returns counts by outcome."""
    session = session or requests.Session()
    outcome = {"delivered": 0, "retrying": 0, "gave_up": 0}
    for delivery in WebhookDelivery.objects.filter(pk__in=_claim(clock.now())).select_related(
            "subscriber", "event").order_by("event__seq"):
        body = _delivery_body(delivery.event)
        code, error = None, ""
        try:
            response = session.post(delivery.subscriber.url, data=body, timeout=policies.RETRY.timeout_seconds,
                                    allow_redirects=False, headers={
                                        "Content-Type": "application/json",
                                        policies.SIGNATURE_HEADER: policies.signature(delivery.subscriber.secret, body),
                                        "X-Event-Id": str(delivery.event.seq), "X-Delivery-Id": str(delivery.pk)})
            code = response.status_code
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        outcome[_record(delivery, code, error)] += 1
    return outcome


def _record(delivery: WebhookDelivery, code: int | None, error: str) -> str:
    now, attempts = clock.now(), delivery.attempts + 1
    if policies.delivered(code):
        status, next_at = DeliveryStatus.DELIVERED, now
    elif attempts >= policies.RETRY.max_attempts:
        status, next_at = DeliveryStatus.GAVE_UP, now
    else:
        status, next_at = DeliveryStatus.RETRYING, now + policies.retry_delay(attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, attempts=F("attempts") + 1, next_attempt_at=next_at, last_status_code=code,
        last_error=error or ("" if policies.delivered(code) else f"HTTP {code}"),
        delivered_at=now if status == DeliveryStatus.DELIVERED else None)
    return str(status)


@transaction.atomic
def subscriber_replay(*, subscriber: WebhookSubscriber, after: int, by=None) -> WebhookSubscriber:
    """Send again every event after cursor `after` (the next enqueue queues them anew): for a receiver that lost
    its state. The audit log (django admin's log entries) records who replayed."""
    subscriber = WebhookSubscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.cursor = max(0, int(after))
    subscriber.save(update_fields=["cursor", "updated_at"])
    return subscriber
