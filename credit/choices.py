from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ModelStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published (running)")
    RETIRED = "retired", _("Retired")


class Dimension(models.TextChoices):
    IDENTITY = "identity", _("Identity and data completeness")
    LOYALTY = "loyalty", _("Loyalty")
    SPEND = "spend", _("Spend")
    PAYMENT = "payment", _("Payment behaviour")
    VALUE = "value", _("Customer value")
    RELATIONSHIP = "relationship", _("Relationships")


class Feature(models.TextChoices):
    """Customer features the set-based scorer computes; a factor bins one of them."""

    BRAND = "brand", _("Brand")
    TENURE_MONTHS = "tenure_months", _("Tenure (months)")
    AVG_MONTHLY_SPEND = "avg_monthly_spend", _("Average monthly spend (CNY)")
    SUSPENSIONS_12M = "suspensions_12m", _("Suspensions in 12 months")
    DATA_COMPLETENESS = "data_completeness", _("Real-name data completeness (%)")
    RELATED_CONTACTS = "related_contacts", _("Related contacts")
    LATE_BILLS_12M = "late_bills_12m", _("Bills overdue in 12 months")
    ARREARS_DAYS_12M = "arrears_days_12m", _("Days in arrears in 12 months")
    AUTO_PAY = "auto_pay", _("Pays by automatic debit")
    VALUE_RATIO = "value_ratio", _("Customer value / plan fee")
    ENTERPRISE_MEMBER = "enterprise_member", _("Member of an enterprise group")
    SPEND_STABILITY = "spend_stability", _("Spend stability (100 = perfectly stable)")
    LATE_BILLS_6M = "late_bills_6m", _("Bills overdue in 6 months")
    ARREARS_DAYS_6M = "arrears_days_6m", _("Days in arrears in 6 months")
    SUSPENSIONS_6M = "suspensions_6m", _("Suspensions in 6 months")
    SPEND_TREND = "spend_trend", _("Spend trend, last 3 vs previous 3 months (%)")
    # source 000: the customer value model's decile (arrears/value.py) of the latest ranked month; unknown
    # (NULL, no bin) when the customer was not ranked
    VALUE_DECILE = "value_decile", _("Customer value decile (1 = top 10 % of the brand)")


CATEGORICAL_FEATURES = {Feature.BRAND}

# What the guidance rules read besides the features, as "why this star" labels them.
GUIDANCE_INPUT_LABELS = {
    "limit_headroom": _("Limit headroom to the star's maximum (CNY)"),
    "customer_value": _("Current value, last 3 billed months (CNY)"),
    # both models record which month's value deciles they read (unknown: that month was not ranked in time)
    "value_month": _("Customer value month read"),
    # the credit evaluation the score_up rule reads: the published base model's score and star as of the run
    "score": _("Credit score (base model)"),
    "score_star": _("Star the credit score reaches"),
    "score_star_gap": _("Stars the credit score reaches above (or below) the current star"),
}

# The guidance rules (credit.policies.GUIDANCE_RULES) by code, as the rating history shows them.
GUIDANCE_RULE_LABELS = {
    "down_star": _("Star down: 30+ days in arrears or 2+ suspensions in 6 months"),
    "score_down": _("Star down: credit score below the current star's cut-off"),
    "down_limit": _("Limit down: a late bill or a suspension in 6 months"),
    "low_value": _("Limit down: bottom 30% of customer value or negative value (no rise)"),
    "up_star": _("Star up: limit at the top of its range, on time for 12 months, spend rising 10%+"),
    "score_up": _("Star up: credit score at the next star's cut-off, on time for 12 months"),
    "up_limit": _("Limit up: on time for 6 months and spend rising 10%+"),
    "high_value": _("Limit up: top 20% of customer value, on time for 6 months"),
}


# every rule a rating records, as staff read it on /audit/ (guidance rules, events, officers' and imports')
RATING_RULE_LABELS = {
    **GUIDANCE_RULE_LABELS,
    "blacklisted": _("Blacklisted"),
    "closed": _("All lines closed"),
    "manual_limit": _("Limit set by a credit officer"),
    "credit_transfer": _("Credit carried to a new number"),
    "legacy_grade": _("Legacy grade imported"),
}


class RatingKind(models.TextChoices):
    BASE = "base", _("Base model")
    GUIDANCE = "guidance", _("Guidance model")
    MANUAL = "manual", _("Manual adjustment")
    EVENT = "event", _("Event (blacklist, closure)")
    LEGACY = "legacy", _("Legacy grade import")


class SmsEvent(models.TextChoices):
    STAR_ASSIGNED = "star_assigned", _("Star assigned")
    STAR_CHANGED = "star_changed", _("Star changed")
    LIMIT_CHANGED = "limit_changed", _("Credit limit changed")
    LOW_CREDIT = "low_credit", _("Low available credit")
    ARREARS_REMINDER = "arrears_reminder", _("Arrears reminder")
    BARRING_WARNING = "barring_warning", _("Barring warning")
    BARRED = "barred", _("Barred")
    RESTORED = "restored", _("Restored")
    RETENTION_DEADLINE = "retention_deadline", _("Number retention deadline")
    EMERGENCY_GRANTED = "emergency_granted", _("Emergency continuity granted")
    BLACKLIST_CLEARED = "blacklist_cleared", _("Blacklist entry cleared")


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Dead letter")  # every retry failed: no more attempts until someone requeues it


class ExtendedService(models.TextChoices):
    BALANCE_TRANSFER = "balance_transfer", _("Balance transfer")
    CREDIT_SHARING = "credit_sharing", _("Credit sharing")
    CREDIT_TRANSFER = "credit_transfer", _("Credit transfer")


class RequestStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class FourEyesKind(models.TextChoices):
    """Decisions that need a second person; each kind registers who decides it and how it applies."""

    CREDIT_LIMIT = "credit_limit", _("Credit limit outside the star's range")
    SCORING_MODEL_PUBLISH = "scoring_model_publish", _("Publish a scoring model version")
    BARRING_POLICY_PUBLISH = "barring_policy_publish", _("Publish a barring policy version")
    CHURN_MODEL_PUBLISH = "churn_model_publish", _("Publish a churn model version")


class FourEyesStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("four eyes", "Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")  # by whoever asked (or an administrator), with a reason
