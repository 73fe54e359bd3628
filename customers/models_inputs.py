"""What operators know about a customer besides billing, as it arrives (issue 13): care contacts, call quality,
contracts, services held and payment method (devices live in customers.models.Device). Each row names the line
it was reported for and, copied from it, the customer (the nightly features read per customer). Each has a
natural key: a resend of the same fact replaces it, so intake is idempotent by content as well as by key."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.choices import CareChannel, CareContactKind, CareOutcome, ContractType, HeldServiceCode, \
    PaymentMethodCode

MONEY = {"max_digits": 12, "decimal_places": 2}


class LineFact(models.Model):
    line = models.ForeignKey("customers.Line", on_delete=models.CASCADE, related_name="+", db_index=False,
                             verbose_name=_("line"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False,
                                 verbose_name=_("customer"))
    received_at = models.DateTimeField(_("received at"), auto_now=True)

    class Meta:
        abstract = True


class CareContact(LineFact):
    """A complaint, service call or call to the retention team, from the care system."""

    reference = models.CharField(_("ticket reference"), max_length=64, help_text=_("the care system's own id"))
    kind = models.CharField(_("kind"), max_length=16, choices=CareContactKind.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=CareChannel.choices)
    reason = models.CharField(_("reason"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CareOutcome.choices)
    contacted_at = models.DateTimeField(_("contacted at"))

    class Meta:
        ordering = ["-contacted_at"]
        constraints = [models.UniqueConstraint(fields=["line", "reference"], name="carecontact_once_per_ref")]
        indexes = [models.Index(fields=["customer", "contacted_at"], name="carecontact_customer_time")]
        verbose_name = _("care contact")
        verbose_name_plural = _("care contacts")

    def __str__(self):
        return f"{self.get_kind_display()} {self.contacted_at:%Y-%m-%d}"


class CallQuality(LineFact):
    """One month of a line's network experience, from billing/the network. A month never sent is unknown."""

    month = models.DateField(_("month"), help_text=_("First day of the month"))
    dropped_calls = models.PositiveIntegerField(_("dropped calls"))
    blocked_calls = models.PositiveIntegerField(_("blocked calls"))
    unanswered_calls = models.PositiveIntegerField(_("unanswered calls"))
    roaming_minutes = models.PositiveIntegerField(_("roaming minutes"))
    overage_minutes = models.PositiveIntegerField(_("overage minutes"))

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["line", "month"], name="callquality_once_per_line_month")]
        indexes = [models.Index(fields=["customer", "month"], name="callquality_customer_month")]
        verbose_name = _("call quality")
        verbose_name_plural = _("call quality")

    def __str__(self):
        return f"{self.line_id} {self.month:%Y-%m}"


class Contract(LineFact):
    """The agreement an individual customer signed for a line: its type, term and early-exit fee. History is
    kept; the one in force on a day is the latest started by then and not ended before it."""

    kind = models.CharField(_("contract type"), max_length=16, choices=ContractType.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("empty: month-to-month"))
    early_exit_fee = models.DecimalField(_("early-exit fee"), default=Decimal("0.00"), **MONEY)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [models.UniqueConstraint(fields=["line", "starts_on"], name="contract_once_per_line_start"),
                       models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                                              name="contract_ends_after_start")]
        indexes = [models.Index(fields=["customer", "-starts_on"], name="contract_customer_start")]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on}"


class HeldService(LineFact):
    """A product held besides the mobile line (broadband, TV, add-ons), from `started_on` until `ended_on`."""

    code = models.CharField(_("service"), max_length=20, choices=HeldServiceCode.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["code", "-started_on"]
        constraints = [models.UniqueConstraint(fields=["line", "code", "started_on"], name="heldservice_once"),
                       models.CheckConstraint(
                           condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                           name="heldservice_ends_after_start")]
        indexes = [models.Index(fields=["customer", "code"], name="heldservice_customer_code")]
        verbose_name = _("service held")
        verbose_name_plural = _("services held")

    def __str__(self):
        return self.get_code_display()


class PaymentMethodRecord(LineFact):
    """How a line's bills are paid from `since` (auto-pay: debited without the customer acting). The latest
    `since` up to a day is the method on that day."""

    method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethodCode.choices)
    auto_pay = models.BooleanField(_("auto-pay"), default=False)
    since = models.DateField(_("since"))

    class Meta:
        ordering = ["-since"]
        constraints = [models.UniqueConstraint(fields=["line", "since"], name="paymentmethod_once_per_line_day")]
        indexes = [models.Index(fields=["customer", "-since"], name="paymentmethod_customer_since")]
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")

    def __str__(self):
        return f"{self.get_method_display()} ({self.since})"
