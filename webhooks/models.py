"""Webhook subscribers of the decision events (issue 20) and their outbox: one delivery row per event and
subscriber, retried with backoff until delivered or given up, kept as the delivery log."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.choices import DecisionKind


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Retrying")
    GAVE_UP = "gave_up", _("Gave up")


class WebhookSubscriber(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    url = models.URLField(_("URL"), max_length=300)
    secret = models.CharField(_("signing secret"), max_length=128,
                              help_text=_("The receiver checks X-Signature: sha256=HMAC-SHA256(secret, body)."))
    kinds = models.JSONField(_("kinds"), default=list, blank=True,
                             help_text=_("The event kinds sent; empty: all of them."))
    active = models.BooleanField(_("active"), default=True)
    cursor = models.BigIntegerField(_("cursor"), default=0,
                                    help_text=_("The last event cursor queued for this subscriber."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")

    def __str__(self):
        return self.name

    def kind_labels(self) -> list[str]:
        labels = dict(DecisionKind.choices)
        return [labels.get(k, k) for k in self.kinds]


class WebhookDelivery(models.Model):
    subscriber = models.ForeignKey(WebhookSubscriber, on_delete=models.CASCADE, related_name="deliveries",
                                   verbose_name=_("subscriber"))
    event = models.ForeignKey("customers.DecisionEvent", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("event"))
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["next_attempt_at"], name="webhookdelivery_due",
                                condition=models.Q(status__in=["pending", "retrying"]))]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.subscriber} #{self.event_id} {self.status}"
