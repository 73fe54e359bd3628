"""Bills and payments as pushed by billing. The arrears issue adds the ledger, barring and collection."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import MONEY, Customer, Line


class Bill(models.Model):
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="bills", db_index=False,
                             verbose_name=_("line"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="bills", db_index=False,
                                 verbose_name=_("customer"))
    period = models.DateField(_("period"), help_text=_("First day of the billed month"))
    amount = models.DecimalField(_("amount"), **MONEY)
    due_date = models.DateField(_("due date"))
    paid_amount = models.DecimalField(_("paid amount"), default=0, **MONEY)

    class Meta:
        ordering = ["-period"]
        constraints = [models.UniqueConstraint(fields=["line", "period"], name="bill_once_per_line_period")]
        indexes = [models.Index(fields=["customer", "-period"], name="bill_customer_period")]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")

    def __str__(self):
        return f"{self.line_id} {self.period:%Y-%m} {self.amount}"

    @property
    def outstanding(self):
        return self.amount - self.paid_amount


class Payment(models.Model):
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="payments", verbose_name=_("line"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments", db_index=False,
                                 verbose_name=_("customer"))
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_at = models.DateTimeField(_("paid at"))
    channel = models.CharField(_("channel"), max_length=20)
    reference = models.CharField(_("reference"), max_length=64, unique=True)

    class Meta:
        ordering = ["-paid_at"]
        indexes = [models.Index(fields=["customer", "-paid_at"], name="payment_customer_time")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return self.reference
