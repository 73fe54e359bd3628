"""Enterprise (group) accounts and the account managers' work on them (DOMAIN.md §7)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import Region, TimeStampedModel
from enterprise.choices import (AlertStatus, Direction, InteractionKind, KeyPersonRole, LegacyClass, ManagerKind,
                                OpportunityKind, OpportunityStage, Priority, Product, ReportKind, Segment,
                                ServiceDayStatus, Signal, SizeBand, TaskStatus)

__all__ = ["LegacyClass", "EnterpriseAccount"]  # LegacyClass stays importable from here (the demo uses it)

MONEY = {"max_digits": 14, "decimal_places": 2}
USER = settings.AUTH_USER_MODEL


class EnterpriseAccount(TimeStampedModel):
    """A group customer; its member lines point here (customers.Line.enterprise).

    `account_manager` is the marketing manager who owns the account (the scope rule reads it);
    `service_manager` serves it. Both change only through services.account_reassign.
    """

    name = models.CharField(_("name"), max_length=100)
    industry = models.CharField(_("industry"), max_length=50)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    size = models.CharField(_("size"), max_length=8, choices=SizeBand.choices, default=SizeBand.SMALL)
    headcount = models.PositiveIntegerField(_("headcount"), default=0,
                                            help_text=_("staff of the group; member coverage = member lines / this"))
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    competitors = models.CharField(_("competitors present"), max_length=200, blank=True,
                                   help_text=_("operators already serving the group, comma separated"))
    unified_billing_revenue = models.DecimalField(_("unified-billing revenue per month"), default=Decimal("0.00"),
                                                  **MONEY)
    legacy_class = models.CharField(_("legacy class"), max_length=2, choices=LegacyClass.choices,
                                    default=LegacyClass.C)
    computed_class = models.CharField(_("computed class"), max_length=2, blank=True)
    class_score = models.DecimalField(_("class score"), max_digits=5, decimal_places=1, null=True, blank=True)
    class_factors = models.JSONField(_("class factors"), default=dict, blank=True)
    class_policy_version = models.PositiveIntegerField(_("class policy version"), null=True, blank=True)
    classified_on = models.DateField(_("classified on"), null=True, blank=True)
    account_manager = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="enterprise_accounts", verbose_name=_("account manager"))
    service_manager = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="served_enterprise_accounts", verbose_name=_("service manager"))
    history = HistoricalRecords(excluded_fields=["updated_at", "class_factors"])

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["account_manager", "name"], name="ent_manager_name"),
                   models.Index(fields=["region", "name"], name="ent_region_name")]
        permissions = [("reassign_enterpriseaccount", "Can reassign enterprise accounts"),
                       ("export_enterpriseaccount", "Can export enterprise accounts")]
        verbose_name = _("enterprise account")
        verbose_name_plural = _("enterprise accounts")

    def __str__(self):
        return self.name

    @property
    def competitor_list(self) -> list[str]:
        return [c.strip() for c in self.competitors.split(",") if c.strip()]


class ManagerProfile(models.Model):
    """Marketing or service manager (002 §5.1); the team and region are the user's core StaffProfile."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="enterprise_manager",
                                verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=10, choices=ManagerKind.choices, default=ManagerKind.MARKETING)

    class Meta:
        verbose_name = _("enterprise manager")
        verbose_name_plural = _("enterprise managers")

    def __str__(self):
        return f"{self.user} ({self.get_kind_display()})"


class AssignmentChange(models.Model):
    """One reassignment of an account: nothing else changes hands, so every record stays with the account."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="assignment_changes",
                                verbose_name=_("account"))
    kind = models.CharField(_("manager kind"), max_length=10, choices=ManagerKind.choices)
    from_manager = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("from"))
    to_manager = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("to"))
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    reason = models.CharField(_("reason"), max_length=200)
    open_tasks_moved = models.PositiveIntegerField(_("open tasks moved"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("assignment change")
        verbose_name_plural = _("assignment changes")

    def __str__(self):
        return f"{self.account_id}: {self.from_manager_id} → {self.to_manager_id}"


class KeyPerson(models.Model):
    """A key person of the group (003 §4.1.2: leaders, the liaison, the "people's spokesperson"). `line` is their
    own line with us when they have one: their churn risk and a dual-SIM device show on the account page."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="key_people",
                                verbose_name=_("account"))
    role = models.CharField(_("role"), max_length=16, choices=KeyPersonRole.choices)
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    line = models.ForeignKey("customers.Line", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("own line"), help_text=_("their own line with us, when they have one"))
    vip_card_issued_on = models.DateField(_("VIP card issued on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["account", "role", "name"]
        verbose_name = _("key person")
        verbose_name_plural = _("key people")

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class Agreement(models.Model):
    """A service agreement. A renewal points at the agreement it renews; a lapsed agreement neither renewed nor
    ended on purpose (with a reason) keeps the "agreement expiring" rule firing, so it cannot vanish silently."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="agreements",
                                verbose_name=_("account"))
    title = models.CharField(_("title"), max_length=100)
    signed_on = models.DateField(_("signed on"))
    expires_on = models.DateField(_("expires on"))
    monthly_value = models.DecimalField(_("monthly value"), default=Decimal("0.00"), **MONEY)
    renews = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="renewal", verbose_name=_("renews"))
    ended_on = models.DateField(_("ended without renewal on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended without renewal"), max_length=200, blank=True, default="",
                                  db_default="")  # the demo and imports insert agreements in SQL
    history = HistoricalRecords()

    class Meta:
        ordering = ["expires_on"]
        indexes = [models.Index(fields=["expires_on"], name="agreement_expiry")]
        constraints = [models.CheckConstraint(condition=Q(expires_on__gte=models.F("signed_on")),
                                              name="agreement_expires_after_signing"),
                       models.CheckConstraint(condition=Q(ended_on__isnull=True) | ~Q(end_reason=""),
                                              name="agreement_end_has_reason")]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return f"{self.title} → {self.expires_on}"


class ProductHolding(models.Model):
    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="products",
                                verbose_name=_("account"))
    product = models.CharField(_("product"), max_length=16, choices=Product.choices)
    since = models.DateField(_("since"))
    monthly_revenue = models.DecimalField(_("monthly revenue"), default=Decimal("0.00"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["account", "product"]
        constraints = [models.UniqueConstraint(fields=["account", "product"], name="product_once_per_account")]
        verbose_name = _("product held")
        verbose_name_plural = _("products held")

    def __str__(self):
        return self.get_product_display()


class Task(TimeStampedModel):
    """Work a lead assigns to a manager on an account (002 §8.1)."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="tasks",
                                verbose_name=_("account"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    assigned_to = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="enterprise_tasks",
                                    verbose_name=_("assigned to"))
    assigned_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("assigned by"))
    due_date = models.DateField(pgettext_lazy("task", "due date"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("completed by"))
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_date", "-priority", "id"]
        indexes = [models.Index(fields=["assigned_to", "status", "due_date"], name="task_assignee_due"),
                   models.Index(fields=["account", "-due_date"], name="task_account_due")]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.title


class Interaction(models.Model):
    """A contact with the group (002 §8.3): visit, call or message; who, when, what, next step."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="interactions",
                                verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=10, choices=InteractionKind.choices)
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    summary = models.TextField(_("summary"))
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    service_day = models.ForeignKey("ServiceDayOrder", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="visit_logs", verbose_name=_("service day"),
                                    help_text=_("the on-site service day this visit log reports"))
    task = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="interactions",
                             verbose_name=_("task"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "-at"], name="interaction_account_time"),
                   models.Index(fields=["by", "-at"], name="interaction_by_time")]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class Opportunity(TimeStampedModel):
    """002 §7.1 business opportunity: a prospect (no account yet) or an existing account's development."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="opportunities", verbose_name=_("account"))
    prospect_name = models.CharField(_("prospect"), max_length=100, blank=True,
                                     help_text=_("a group not yet a customer (prospect discovery)"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=20, choices=OpportunityKind.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=OpportunityStage.choices,
                             default=OpportunityStage.IDENTIFIED)
    title = models.CharField(_("title"), max_length=120)
    plan = models.TextField(_("development plan"), blank=True)
    expected_revenue = models.DecimalField(_("expected revenue per month"), default=Decimal("0.00"), **MONEY)
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    account_manager = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                        verbose_name=_("account manager"))
    # a development request goes ahead only once a team lead approved it (002 §7.1.2 客户开发申请)
    approved_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self):
        return self.title


class ServiceDayCollection(models.Model):
    """A Tuesday/Thursday collection: the orders submitted since the previous one, sent to the channel admins."""

    collected_at = models.DateTimeField(_("collected at"))
    collected_on = models.DateField(_("collection day"), unique=True)
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                           verbose_name=_("by"), help_text=_("empty = the scheduled collection"))
    order_count = models.PositiveIntegerField(_("orders"), default=0)

    class Meta:
        ordering = ["-collected_at"]
        verbose_name = _("service-day collection")
        verbose_name_plural = _("service-day collections")

    def __str__(self):
        return f"{self.collected_on} ({self.order_count})"


class ServiceDayOrder(TimeStampedModel):
    """An on-site service day order (003 §4.1.1: target group, date, policy, materials)."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="service_days",
                                verbose_name=_("target group"))
    requested_date = models.DateField(_("requested date"))
    service_date = models.DateField(_("service date"), help_text=_("after the 25th: the next month's first "
                                                                   "working day"))
    policy = models.TextField(_("service policy"), help_text=_("one group, one marketing policy"))
    materials = models.CharField(_("materials"), max_length=300,
                                 help_text=_("banner, leaflets, roll-up stands, posters, gifts …"))
    submitted_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"))
    status = models.CharField(_("status"), max_length=10, choices=ServiceDayStatus.choices,
                              default=ServiceDayStatus.SUBMITTED)
    collection = models.ForeignKey(ServiceDayCollection, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="orders", verbose_name=_("collection"))
    visit_logged_on = models.DateField(_("visit logged on"), null=True, blank=True)
    visit_deadline = models.DateField(_("visit log due by"))
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-service_date", "-id"]
        indexes = [models.Index(fields=["collection", "submitted_at"], name="serviceday_collection"),
                   models.Index(fields=["visit_logged_on", "visit_deadline"], name="serviceday_visit_due"),
                   models.Index(fields=["account", "-service_date"], name="serviceday_account")]
        verbose_name = _("service-day order")
        verbose_name_plural = _("service-day orders")

    def __str__(self):
        return f"{self.account_id} {self.service_date}"


class ServiceDayReport(models.Model):
    """The channel admins' weekly report and monthly report (due by the 10th of the next month)."""

    kind = models.CharField(_("kind"), max_length=8, choices=ReportKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due date"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    groups_served = models.PositiveIntegerField(_("groups served"), default=0)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-period_start", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "region", "period_start"],
                                               name="serviceday_report_once")]
        verbose_name = _("service-day report")
        verbose_name_plural = _("service-day reports")

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start}"


class ClassPolicy(models.Model):
    """A version of the computed-class policy (weights, full marks, cut-offs); exactly one is active."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    weights = models.JSONField(_("weights (points, sum 100)"))
    full_at = models.JSONField(_("full points at"))
    cutoffs = models.JSONField(_("class cut-offs [[class, minimum score], …]"))
    active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("why this version"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=Q(active=True),
                                               name="classpolicy_one_active")]
        verbose_name = _("class policy")
        verbose_name_plural = _("class policies")

    def __str__(self):
        return f"v{self.version}{' ✓' if self.active else ''}"

    def as_policy(self) -> dict:
        return {"weights": self.weights, "full_at": self.full_at, "cutoffs": self.cutoffs}


class SegmentRule(models.Model):
    """The admin's setting of one segmentation signal; defaults from policies.DEFAULT_RULES."""

    code = models.CharField(_("signal"), max_length=30, choices=Signal.choices, unique=True)
    segment = models.CharField(_("segment"), max_length=10, choices=Segment.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=2)
    alert = models.BooleanField(_("alert the manager"), default=True)
    note = models.CharField(_("what the value measures"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["segment", "code"]
        verbose_name = _("segmentation rule")
        verbose_name_plural = _("segmentation rules")

    def __str__(self):
        return self.get_code_display()

    @property
    def note_label(self) -> str:
        """The note in the reader's language when it is a default's (policies.DEFAULT_RULES), else as typed."""
        return gettext(self.note) if self.note else ""


class EnterpriseSnapshot(models.Model):
    """One month of a group's figures (from billing and the service systems); the segmentation reads these."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="snapshots",
                                db_index=False, verbose_name=_("account"))
    month = models.DateField(_("month"), help_text=_("first day of the month"))
    revenue = models.DecimalField(_("revenue"), **MONEY)
    member_count = models.PositiveIntegerField(_("members"))
    competitor_lines = models.PositiveIntegerField(_("lines on competitor networks"), default=0)
    members_left = models.PositiveIntegerField(_("members who left"), default=0)
    returning_members = models.PositiveIntegerField(_("returning members"), default=0)
    products_held = models.PositiveSmallIntegerField(_("products held"), default=0)
    cancellations = models.PositiveIntegerField(_("business cancellations"), default=0)
    business_changes = models.PositiveIntegerField(_("business changes"), default=0)
    complaints = models.PositiveIntegerField(_("complaints"), default=0)
    competitor_hotline_calls = models.PositiveIntegerField(_("calls to competitor service"), default=0)
    personalised_requests = models.PositiveIntegerField(_("personalised requests"), default=0)
    data_anomalies = models.PositiveIntegerField(_("data anomalies"), default=0)
    arrears_amount = models.DecimalField(_("arrears"), default=Decimal("0.00"), **MONEY)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="snapshot_once_per_month")]
        verbose_name = _("monthly enterprise snapshot")
        verbose_name_plural = _("monthly enterprise snapshots")

    def __str__(self):
        return f"{self.account_id} {self.month:%Y-%m}"


class SegmentTag(models.Model):
    """A signal that fired for an account on an evaluation day (the nightly segmentation)."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="segment_tags",
                                db_index=False, verbose_name=_("account"))
    evaluated_on = models.DateField(_("evaluated on"))
    code = models.CharField(_("signal"), max_length=30, choices=Signal.choices)
    segment = models.CharField(_("segment"), max_length=10, choices=Segment.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["-evaluated_on", "segment", "code"]
        constraints = [models.UniqueConstraint(fields=["account", "evaluated_on", "code"], name="segmenttag_once")]
        indexes = [models.Index(fields=["evaluated_on", "segment"], name="segmenttag_day_segment")]
        verbose_name = _("segment tag")
        verbose_name_plural = _("segment tags")

    def __str__(self):
        return f"{self.account_id} {self.code}"


class EnterpriseAlert(models.Model):
    """An alert for the account's manager: a segmentation signal fired (one open per account and signal)."""

    account = models.ForeignKey(EnterpriseAccount, on_delete=models.CASCADE, related_name="alerts",
                                db_index=False, verbose_name=_("account"))
    account_manager = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                        verbose_name=_("account manager"))
    code = models.CharField(_("signal"), max_length=30, choices=Signal.choices)
    segment = models.CharField(_("segment"), max_length=10, choices=Segment.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(_("status"), max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("closed by"))

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "code"], condition=Q(status="open"),
                                               name="enterprisealert_one_open")]
        indexes = [models.Index(fields=["account", "status"], name="entalert_account_status")]
        verbose_name = _("enterprise alert")
        verbose_name_plural = _("enterprise alerts")

    def __str__(self):
        return f"{self.account_id} {self.code}"
