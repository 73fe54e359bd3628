from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In credit review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    RUNNING = "running", _("Running")
    CLOSED = "closed", pgettext_lazy("campaign", "Closed")


class IncentiveBasis(models.TextChoices):
    VOLUME = "volume", _("Volume only (per customer acquired)")
    VOLUME_QUALITY = "volume_quality", _("Volume with a claw-back on arrears")
    QUALITY = "quality", _("Quality (paid on customers in good standing)")


class BarringRule(models.TextChoices):
    STANDARD = "standard", _("The barring policy in force")
    EARLY = "early", _("Bar at zero balance (credit limit not used)")
    PREPAID_ONLY = "prepaid_only", _("Prepaid only: no credit during the campaign")


class RiskControl(models.TextChoices):
    """What a reviewer gives an opinion on (DOMAIN.md §6: one opinion per risk control)."""

    SEGMENT = "segment", _("Target segment")
    MIN_STAR = "min_star", _("Minimum star")
    DEPOSIT = "deposit", _("Deposit")
    LIMIT_CAP = "limit_cap", _("Credit limit cap")
    USAGE_CAP = "usage_cap", _("Usage cap")
    BARRING = "barring", _("Barring rules")
    TARIFF = "tariff", _("Price policy (in-plan / out-of-plan)")
    CHANNEL_INCENTIVE = "channel_incentive", _("Channel incentives")


class OpinionVerdict(models.TextChoices):
    ACCEPTABLE = "acceptable", _("Acceptable")
    CONCERN = "concern", _("Concern")
    MUST_CHANGE = "must_change", _("Must change")


class CampaignAction(models.TextChoices):
    """The workflow's steps (policies.TRANSITIONS' actions) and the other recorded changes, as staff read them."""

    SUBMIT = "submit", pgettext_lazy("campaign", "Submitted")
    START_REVIEW = "start_review", pgettext_lazy("campaign", "Review started")
    APPROVE = "approve", pgettext_lazy("campaign", "Approved")
    RETURN = "return", pgettext_lazy("campaign", "Returned for changes")
    REJECT = "reject", pgettext_lazy("campaign", "Rejected")
    RESUBMIT = "resubmit", pgettext_lazy("campaign", "Resubmitted")
    LAUNCH = "launch", pgettext_lazy("campaign", "Launched")
    CLOSE = "close", pgettext_lazy("campaign action", "Closed")
    CREATED = "created", pgettext_lazy("campaign", "Created")
    EDITED = "edited", pgettext_lazy("campaign", "Edited")
    ANSWERED = "answered", pgettext_lazy("campaign", "Answered")
