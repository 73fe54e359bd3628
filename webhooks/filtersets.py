import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filtersets import OrderingFilter

from webhooks.models import WebhookDelivery, WebhookSubscriber


class SubscriberFilterSet(filters.FilterSet):
    active = filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = WebhookSubscriber
        fields = []


class DeliveryFilterSet(filters.FilterSet):
    subscriber = filters.NumberFilter(field_name="subscriber_id", label=_("Subscriber"))
    status = filters.CharFilter(label=_("Status"))
    # the event's id: its foreign-key index serves the order on a log that grows with every decision
    ordering = OrderingFilter(fields=(("event_id", "event"),), field_labels={"event_id": _("Event")},
                              label=_("Sort by"))

    class Meta:
        model = WebhookDelivery
        fields = []
