"""Reads for the webhook pages (administrators: no customer scope applies)."""

from customers.models import DecisionEvent
from webhooks.models import WebhookDelivery, WebhookSubscriber


def subscriber_list(*, user):
    return WebhookSubscriber.objects.all()


def delivery_log(*, user):
    return WebhookDelivery.objects.select_related("subscriber", "event").order_by("-id")


def top_cursor() -> int:
    """The newest decision event's cursor (0 before the first)."""
    top = DecisionEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", flat=True).first()
    return top or 0
