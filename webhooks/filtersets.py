import django_filters as filters
from django.utils.translation import gettext_lazy as _

from webhooks.models import WebhookDelivery, WebhookSubscriber


class SubscriberFilterSet(filters.FilterSet):
    active = filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = WebhookSubscriber
        fields = []


class DeliveryFilterSet(filters.FilterSet):
    subscriber = filters.NumberFilter(field_name="subscriber_id", label=_("Subscriber"))
    status = filters.CharFilter(label=_("Status"))

    class Meta:
        model = WebhookDelivery
        fields = []
