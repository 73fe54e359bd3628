"""Campaigns, their credit review (opinions, decisions, notifications) and the customers they tag."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import RegionChunkFact
from customers.choices import CreditStar
from customers.models import MONEY, Customer
from marketing import policies
from marketing.choices import BarringRule, CampaignStatus, IncentiveBasis, OpinionVerdict, RiskControl
from customers.choices import MemberHow

TARIFF = {"max_digits": 10, "decimal_places": 4, "validators": [MinValueValidator(Decimal("0.0001"))]}
POSITIVE = [MinValueValidator(Decimal("0"))]


class Campaign(models.Model):
    """A marketing plan (营销方案): goal, segment, product and price, channels, promotion and risk controls."""

    name = models.CharField(_("name"), max_length=100)
    goal = models.TextField(_("goal"))
    status = models.CharField(_("status"), max_length=12, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    segment = models.JSONField(_("target segment rules"), default=dict, blank=True,
                               help_text=_("rules over customer fields, validated by marketing.policies"))
    # product and price
    packages = models.TextField(_("packages"), blank=True)
    in_plan_tariff = models.DecimalField(_("in-plan tariff (CNY per unit)"), null=True, blank=True, **TARIFF)
    out_of_plan_tariff = models.DecimalField(_("out-of-plan tariff (CNY per unit)"), null=True, blank=True, **TARIFF)
    tariff_unit = models.CharField(_("tariff unit"), max_length=20, default="MB")
    # revenue analysis
    expected_participants = models.PositiveIntegerField(_("expected participants"), default=0)
    monthly_revenue = models.DecimalField(_("expected monthly revenue per participant"), default=Decimal("0.00"),
                                          validators=POSITIVE, **MONEY)
    monthly_cost = models.DecimalField(_("monthly discount/subsidy per participant"), default=Decimal("0.00"),
                                       validators=POSITIVE, **MONEY)
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), default=12)
    revenue_notes = models.TextField(_("revenue analysis notes"), blank=True)
    # channels and promotion
    channels = models.CharField(_("channels"), max_length=200, blank=True)
    incentive_per_customer = models.DecimalField(_("channel incentive per customer"), default=Decimal("0.00"),
                                                 validators=POSITIVE, **MONEY)
    incentive_basis = models.CharField(_("incentive basis"), max_length=16, choices=IncentiveBasis.choices,
                                       default=IncentiveBasis.VOLUME_QUALITY)
    promotion = models.TextField(_("promotion"), blank=True)
    # risk controls
    min_star = models.SmallIntegerField(_("minimum star"), choices=CreditStar.choices, null=True, blank=True,
                                        help_text=_("empty: no minimum (unrated customers included)"))
    deposit = models.DecimalField(_("deposit"), default=Decimal("0.00"), validators=POSITIVE, **MONEY)
    limit_cap = models.DecimalField(_("credit limit cap"), null=True, blank=True, validators=POSITIVE, **MONEY)
    usage_cap = models.DecimalField(_("monthly usage cap (CNY)"), null=True, blank=True, validators=POSITIVE,
                                    help_text=_("empty: no cap"), **MONEY)
    barring_rule = models.CharField(_("barring rules"), max_length=16, choices=BarringRule.choices,
                                    default=BarringRule.STANDARD)
    risk_notes = models.TextField(_("other risk controls"), blank=True)
    # workflow
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaigns",
                               verbose_name=_("author"))
    review_round = models.PositiveSmallIntegerField(_("review round"), default=0,
                                                    help_text=_("how many times it has been submitted"))
    forecast = models.JSONField(_("forecast at approval"), default=dict, blank=True,
                                help_text=_("the risk assessment the approval was based on"))
    segment_figures = models.JSONField(_("segment figures"), default=dict, blank=True, editable=False,
                                       help_text=_("the segment counted per region and star when submitted"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "segment_figures"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="campaign_status_time")]
        permissions = [("review_campaign", "Can review campaigns (credit)"),
                       ("tag_campaign_member", "Can tag customers with a campaign")]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status in policies.EDITABLE_STATUSES


class ReviewOpinion(models.Model):
    """A credit officer's opinion on one risk control of one review round."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="opinions",
                                 verbose_name=_("campaign"))
    review_round = models.PositiveSmallIntegerField(_("review round"))
    control = models.CharField(_("risk control"), max_length=20, choices=RiskControl.choices)
    verdict = models.CharField(_("verdict"), max_length=12, choices=OpinionVerdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("reviewer"))
    at = models.DateTimeField(_("at"))
    # the author's answer to a "must change" opinion, given with the revision (the officer reads it next round)
    answer = models.TextField(_("author's answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-review_round", "control"]
        constraints = [models.UniqueConstraint(fields=["campaign", "review_round", "control"],
                                               name="opinion_once_per_control_round")]
        verbose_name = _("review opinion")
        verbose_name_plural = _("review opinions")

    def __str__(self):
        return f"{self.campaign_id} r{self.review_round} {self.control}: {self.verdict}"


class CampaignDecision(models.Model):
    """The decision log: every workflow step — who, when, from, to, why, and the assessment it was based on."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="decisions",
                                 verbose_name=_("campaign"))
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, choices=CampaignStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=CampaignStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)
    review_round = models.PositiveSmallIntegerField(_("review round"))
    assessment = models.JSONField(_("risk assessment"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("campaign decision")
        verbose_name_plural = _("campaign decisions")

    def __str__(self):
        return f"{self.campaign_id} {self.from_status} → {self.to_status}"


class Notification(models.Model):
    """An in-app message to one party of a campaign (author, reviewers), shown on the campaign pages."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("recipient"))
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="notifications",
                                 verbose_name=_("campaign"))
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_recipient")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.message


class CampaignMember(models.Model):
    """A customer tagged with a campaign: targeted at launch, or acquired / converted by it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members", db_index=False,
                                 verbose_name=_("campaign"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="campaign_memberships",
                                 db_index=False, verbose_name=_("customer"))
    how = models.CharField(_("how"), max_length=10, choices=MemberHow.choices)
    tagged_at = models.DateTimeField(_("tagged at"))
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("tagged by"))
    # a customer outside the segment is tagged only when a credit officer overrides, with the reason
    override_reason = models.CharField(_("override reason (outside the segment)"), max_length=200, blank=True,
                                       default="", db_default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="member_once_per_campaign")]
        indexes = [models.Index(fields=["customer", "campaign"], name="member_customer"),
                   models.Index(fields=["campaign", "how"], name="member_campaign_how")]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")

    def __str__(self):
        return f"{self.campaign_id}:{self.customer_id} {self.how}"


class UsageFacts(models.Model):
    """Per customer, plan saturation averaged over the last 3 complete months, refreshed nightly by a set-based
    batch (marketing.batches): the segment rule reads this narrow table instead of aggregating 12 M usage rows
    for every count (2.3 s → well under the 2 s target at 1 M customers)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="+",
                                    verbose_name=_("customer"))
    plan_saturation = models.DecimalField(_("plan saturation % (3 months)"), max_digits=6, decimal_places=2)
    window_end = models.DateField(_("window ends before"), help_text=_("first day of the month after the window"))

    class Meta:
        indexes = [models.Index(fields=["plan_saturation"], name="usagefacts_saturation")]
        verbose_name = _("usage facts")
        verbose_name_plural = _("usage facts")

    def __str__(self):
        return f"{self.customer_id}: {self.plan_saturation}%"


class CampaignGroupFact(RegionChunkFact):
    """A launched campaign's result groups (participants, targeted, the segment's baseline) as the night's batch
    `marketing.results_facts` summed them per id-range chunk of customers, region and star (marketing.results)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", db_index=False)
    group = models.CharField(max_length=12)
    credit_star = models.SmallIntegerField(null=True)
    customers = models.IntegerField()
    churned = models.IntegerField()
    in_arrears = models.IntegerField()
    owed = models.DecimalField(max_digits=16, decimal_places=2)
    periods = models.IntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2)
    billed = models.IntegerField()
    expected_own = models.DecimalField(max_digits=24, decimal_places=12)
    revenue_with_pre = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["campaign", "day", "group"], name="campaigngroupfact_campaign")]

    def __str__(self):
        return f"{self.day} campaign {self.campaign_id} {self.group}: {self.customers}"
