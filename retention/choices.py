from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Signal(models.TextChoices):
    SPEND_FALLING = "spend_falling", _("Spend falling months in a row")
    USAGE_SWING = "usage_swing", _("Usage swing vs previous 3 months (%)")
    COMPETITOR_CALLS = "competitor_calls", _("Rise in calls to competitor hotlines (last 3 vs previous 3 months)")
    AGREEMENT_EXPIRING = "agreement_expiring", _("Days until the agreement expires")
    FREQUENT_ARREARS = "frequent_arrears", _("Overdue bills in 12 months")
    SECOND_DEVICE = "second_device", _("Dual-SIM devices started in 6 months")
    MEMBERS_LEAVING = "members_leaving", _("Enterprise member lines closed in 90 days")
    BUSINESS_CANCELLATIONS = "business_cancellations", _("Business cancellations in 90 days")
    COMPLAINTS = "complaints", _("Complaints in 90 days")


class Offer(models.TextChoices):
    TOPUP_BONUS = "topup_bonus", _("Top-up bonus returned over 6+ months")
    DEPOSIT_AND_GET = "deposit_and_get", _("Deposit-and-get contract with a monthly bonus")
    PLAN_UPGRADE = "plan_upgrade", _("Plan upgrade (usage saturates the plan)")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("retention alert", "Open")
    CONTACTED = "contacted", _("Contacted")
    OFFER_MADE = "offer_made", _("Offer made")
    RETAINED = "retained", _("Retained")
    CHURNED = "churned", _("Churned")
    DISMISSED = "dismissed", _("Dismissed")
