"""Touchpoint SMS: event → template (Chinese by default, editable) → outbox → gateway → delivery log.

Templates use {placeholders} so a batch can render them in SQL with replace() and a single
event can render them in Python with str.format_map; both read the same template row.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from core import clock
from credit.choices import SmsStatus
from credit.models import SmsDelivery, SmsMessage, SmsTemplate
from credit.signals import sms_queued
from credit.sql.messages import QUEUED_COUNT_SQL

log = logging.getLogger(__name__)
PLACEHOLDERS = ("name", "star", "old_star", "limit", "amount", "days", "date")


class LoggingGateway:
    """Development gateway: writes the message to the log (numbers masked) and reports success."""

    def send(self, msisdn: str, body: str) -> str:
        log.info("SMS to %s****%s: %s", msisdn[:3], msisdn[-4:], body)
        return f"log-{timezone.now():%Y%m%d%H%M%S%f}"


def gateway():
    return import_string(getattr(settings, "SMS_GATEWAY", "credit.touchpoints.LoggingGateway"))()


class _Blank(dict):
    def __missing__(self, key):
        return ""


def sms_render(template: str, context: dict) -> str:
    return template.format_map(_Blank({k: "" if v is None else v for k, v in context.items()}))


def sms_enqueue(*, event: str, customer, context: dict, dedup_key: str, msisdn: str | None = None) -> SmsMessage | None:
    """Queue one message for the customer's primary line (or `msisdn` when they have no open line, e.g. the
    closed line a settled blacklist entry was about); a repeated dedup_key queues nothing."""
    template = SmsTemplate.objects.filter(event=event, active=True).first()
    line = customer.lines.exclude(status="closed").order_by("id").first()
    msisdn = line.msisdn if line is not None else msisdn
    if template is None or not msisdn:
        return None
    message, created = SmsMessage.objects.get_or_create(
        dedup_key=dedup_key,
        defaults={"customer": customer, "msisdn": msisdn, "event": event, "created_at": clock.now(),
                  "body": sms_render(template.body, {"name": customer.name, **context})},
    )
    if created:
        transaction.on_commit(_dispatch_soon)
    return message if created else None


def _dispatch_soon():
    sms_queued.send(sender=SmsMessage)  # credit.tasks sends the outbox (connected in credit/apps.py)


def announces(old_star, new_star) -> bool:
    """A first 0★ grants nothing, so it is not announced; every other star or limit change is."""
    return not (old_star is None and new_star == 0)


MAX_ATTEMPTS = 5  # then the message is a dead letter (admin can requeue it)
RETRY_AFTER_S = 60  # after the n-th failed attempt, wait 60 s × 2^(n-1): 1, 2, 4, 8 minutes
DISPATCH_BATCH = 500


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_AFTER_S * 2 ** (attempts - 1))


def _due() -> Q:
    return Q(status=SmsStatus.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock.now()))


@transaction.atomic
def _dispatch_batch(sender, limit: int) -> tuple[int, int]:
    """Send up to `limit` due messages, each attempt logged; returns (taken, sent). Rows locked SKIP LOCKED, so
    several workers share the outbox without sending a message twice."""
    batch = list(SmsMessage.objects.select_for_update(skip_locked=True).filter(_due()).order_by("id")[:limit])
    sent = 0
    for message in batch:
        message.attempts += 1
        try:
            ref = sender.send(message.msisdn, message.body)
            message.status, message.sent_at, message.gateway_ref = SmsStatus.SENT, clock.now(), ref
            message.next_attempt_at = None
            SmsDelivery.objects.create(message=message, ok=True, response=ref, attempted_at=clock.now())
            sent += 1
        except Exception as exc:  # the gateway's failure is recorded; retried later, or a dead letter
            if message.attempts >= MAX_ATTEMPTS:
                message.status, message.next_attempt_at = SmsStatus.DEAD, None
                log.warning("SMS %s is a dead letter after %s attempts: %s", message.pk, message.attempts, exc)
            else:
                message.next_attempt_at = clock.now() + retry_delay(message.attempts)
            SmsDelivery.objects.create(message=message, ok=False, response=str(exc)[:200], attempted_at=clock.now())
        message.save(update_fields=["status", "sent_at", "gateway_ref", "attempts", "next_attempt_at"])
    return len(batch), sent


def outbox_dispatch(*, limit: int = DISPATCH_BATCH, budget_s: float = 50.0) -> int:
    """Send the due messages of the outbox, `limit` per transaction, until none is due or `budget_s` has passed
    (the schedule runs this every minute). Returns how many were sent."""
    sender, sent, deadline = gateway(), 0, time.monotonic() + budget_s
    while time.monotonic() < deadline:
        taken, ok = _dispatch_batch(sender, limit)
        sent += ok
        if taken < limit:
            break
    return sent


def dead_letters_requeue(*, messages) -> int:
    """Dead letters back in the outbox, due now, with a fresh set of attempts."""
    return messages.filter(status=SmsStatus.DEAD).update(status=SmsStatus.QUEUED, attempts=0, next_attempt_at=None)


def queued_count() -> int:
    with connection.cursor() as cur:
        cur.execute(QUEUED_COUNT_SQL, [SmsStatus.QUEUED])
        return cur.fetchone()[0]
