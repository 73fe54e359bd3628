from django.db import models
from django.utils.translation import gettext_lazy as _


class BarringState(models.TextChoices):
    """Where a line stands in the barring policy (DOMAIN.md §5)."""

    ACTIVE = "active", _("Active")
    REMINDED = "reminded", _("Reminded")
    ONE_WAY = "one_way_barred", _("One-way barred")
    TWO_WAY = "two_way_barred", _("Two-way barred")
    RETENTION = "in_retention", _("In number retention")
    CLOSED = "closed", _("Closed")


class LedgerKind(models.TextChoices):
    OPENING = "opening", _("Opening balance")
    CHARGE = "charge", _("Bill charge")
    PAYMENT = "payment", _("Payment")
    LATE_FEE = "late_fee", _("Late fee")
    WAIVER = "waiver", _("Late-fee waiver")
    ADJUSTMENT = "adjustment", _("Adjustment")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    TRANSFER_OUT = "transfer_out", _("Transfer out")


class CollectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PROMISED = "promised", _("Promise to pay")
    PAID = "paid", _("Paid")
    UNREACHABLE = "unreachable", _("Unreachable")
    WRITTEN_OFF = "written_off", _("Written off")


class PaymentChannel(models.TextChoices):
    """Where billing says a payment came from (Payment.channel is billing's free text; these are the known ones)."""

    AUTO_DEBIT = "auto_debit", _("Bank auto-debit")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    APP = "app", _("Mobile app")
    OUTLET = "outlet", _("Service outlet")
    VOUCHER = "voucher", _("Top-up voucher")


class BarringRule(models.TextChoices):
    """Why a line's barring state changed: the rule codes arrears.policies.TRANSITIONS and the services record."""

    PAID_BACK = "paid_back", _("Paid back")
    RETENTION_EXPIRED = "retention_expired", _("Number retention expired")
    ARREARS_30_DAYS = "arrears_30_days", _("In arrears past the two-way deadline")
    USABLE_BELOW_ZERO = "usable_below_zero", _("Usable credit below zero")
    LOW_CREDIT = "low_credit", _("Low usable credit")
    CREDIT_RECOVERED = "credit_recovered", _("Usable credit recovered")
    EXEMPTION = "exemption", _("Exemption from barring")
    EMERGENCY_CONTINUITY = "emergency_continuity", _("Emergency continuity")
    EMERGENCY_EXPIRED = "emergency_expired", _("Emergency pass expired")
    BILLING_CLOSURE = "billing_closure", _("Closed by billing")
