from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.tasks import dispatch_run
from credit import services, touchpoints
from credit.batches import BASE_KIND
from credit.models import SmsDelivery, SmsMessage, SmsTemplate
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db


def rateable(**kw):
    customer = CustomerFactory(join_date=date(2012, 1, 1), avg_monthly_spend=Decimal("250"), data_completeness=100,
                               **kw)
    LineFactory(customer=customer)
    return customer


def test_templates_ship_in_chinese_for_every_event():
    from credit.choices import SmsEvent

    assert set(SmsTemplate.objects.values_list("event", flat=True)) == set(SmsEvent.values)
    assert "星" in SmsTemplate.objects.get(event="star_assigned").body


def test_a_rating_run_queues_one_star_message_per_change_and_never_twice():
    customers = [rateable() for _ in range(3)]
    dispatch_run(BASE_KIND, "2026-11")
    messages = SmsMessage.objects.filter(customer__in=customers)
    assert messages.count() == 3 and {m.event for m in messages} == {"star_assigned"}
    customer = customers[0]
    customer.refresh_from_db()
    body = messages.get(customer=customer).body
    assert customer.name in body and f"{customer.credit_star}星" in body and str(customer.credit_limit) in body
    dispatch_run(BASE_KIND, "2026-11")  # the same period again: nothing new
    assert SmsMessage.objects.filter(customer__in=customers).count() == 3


def test_dispatch_sends_through_the_gateway_and_logs_each_attempt():
    customer = rateable(credit_star=3, credit_limit=Decimal("50"))
    from tests.conftest import make_staff

    officer = make_staff("credit_officer")
    services.credit_limit_change(customer=customer, amount=Decimal("80"), reason="良好", by=officer)
    message = SmsMessage.objects.get(customer=customer)
    assert message.event == "limit_changed" and "80" in message.body
    # eager Celery already dispatched it on commit? In tests the transaction never commits: send by hand.
    assert touchpoints.outbox_dispatch() == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.gateway_ref.startswith("log-")
    assert SmsDelivery.objects.get(message=message).ok


class BrokenGateway:
    def send(self, msisdn, body):
        raise ConnectionError("gateway down")


def test_a_failing_gateway_is_retried_with_back_off_then_becomes_a_dead_letter(settings):
    settings.SMS_GATEWAY = "tests.credit.test_touchpoints.BrokenGateway"
    customer = rateable()
    touchpoints.sms_enqueue(event="restored", customer=customer, context={}, dedup_key="t-1")
    message = SmsMessage.objects.get(dedup_key="t-1")
    with freeze_time("2026-11-24 10:00:00+08:00") as clock:
        touchpoints.outbox_dispatch()
        touchpoints.outbox_dispatch()  # at once again: the retry waits, no second attempt
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("queued", 1)
        waits = []
        for _ in range(touchpoints.MAX_ATTEMPTS - 1):
            waits.append(message.next_attempt_at - timezone.now())
            clock.move_to(message.next_attempt_at)
            touchpoints.outbox_dispatch()
            message.refresh_from_db()
    assert [w.total_seconds() for w in waits] == [60, 120, 240, 480]  # 1, 2, 4, 8 minutes
    assert (message.status, message.attempts, message.next_attempt_at) == ("dead", 5, None)
    assert SmsDelivery.objects.filter(message=message, ok=False).count() == 5
    touchpoints.outbox_dispatch()  # a dead letter is not attempted again
    assert SmsDelivery.objects.filter(message=message).count() == 5

    settings.SMS_GATEWAY = "credit.touchpoints.LoggingGateway"  # the gateway is back; an operator requeues
    assert touchpoints.dead_letters_requeue(messages=SmsMessage.objects.filter(pk=message.pk)) == 1
    assert touchpoints.outbox_dispatch() == 1
    message.refresh_from_db()
    assert message.status == "sent" and SmsDelivery.objects.filter(message=message, ok=True).count() == 1


def test_one_dispatch_drains_an_outbox_larger_than_its_batch():
    customers = [rateable() for _ in range(7)]
    for i, customer in enumerate(customers):
        touchpoints.sms_enqueue(event="restored", customer=customer, context={}, dedup_key=f"drain-{i}")
    assert touchpoints.outbox_dispatch(limit=3) == 7  # three transactions of at most 3
    assert touchpoints.queued_count() == 0


def test_the_outbox_is_dispatched_every_minute_by_the_scheduler():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="credit.tasks.sms_dispatch")
    assert task.enabled and (task.interval.every, task.interval.period) == (60, "seconds")
    assert task.expire_seconds == 50 and task.queue in (None, "")  # routed to the short queue by default


def test_notify_deduplicates_and_renders_placeholders():
    customer = rateable()
    first = touchpoints.sms_enqueue(event="barring_warning", customer=customer, context={"amount": "12.50", "days": 3},
                                    dedup_key="warn-1")
    again = touchpoints.sms_enqueue(event="barring_warning", customer=customer, context={"amount": "12.50", "days": 3},
                                    dedup_key="warn-1")
    assert again is None and "12.50" in first.body and "3天" in first.body
