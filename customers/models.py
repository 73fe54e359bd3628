from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Region, TimeStampedModel
from core.scope import customer_scope_q
from customers.choices import (
    AccessChannel, CallbackStatus, ChannelKind, CreditStar, DecisionKind, Gender, IdType, LifecycleStage,
    PriceBand, RevealPurpose, ServiceStatus, VipTier,
)

MONEY = {"max_digits": 12, "decimal_places": 2}


class Brand(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=30)

    class Meta:
        ordering = ["code"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self):
        return self.name


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="plans", verbose_name=_("brand"))
    monthly_fee = models.DecimalField(_("monthly fee"), **MONEY)
    voice_minutes = models.PositiveIntegerField(_("voice minutes included"))
    data_mb = models.PositiveIntegerField(_("data MB included"))
    sms_count = models.PositiveIntegerField(_("SMS included"))
    out_of_plan_voice_rate = models.DecimalField(_("out-of-plan voice rate per minute"), max_digits=8, decimal_places=4)

    class Meta:
        ordering = ["brand__code", "monthly_fee"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return self.name


class Channel(models.Model):
    """Acquiring channel, outlet or agent; arrears are attributed to it (source 000)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("parent"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return self.name


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(customer_scope_q(user))


class Customer(TimeStampedModel):
    name = models.CharField(_("name"), max_length=50)
    id_type = models.CharField(_("ID type"), max_length=12, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = models.CharField(_("ID number"), max_length=32)
    id_last4 = models.CharField(_("ID last 4"), max_length=4, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    occupation = models.CharField(_("occupation"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, db_index=False, verbose_name=_("region"))
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, verbose_name=_("brand"))
    join_date = models.DateField(_("join date"))
    status = models.CharField(_("status"), max_length=16, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    acquiring_channel = models.ForeignKey(Channel, on_delete=models.PROTECT, verbose_name=_("acquiring channel"))
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        db_index=False, related_name="book", verbose_name=_("account manager"))
    vip_tier = models.CharField(_("VIP tier"), max_length=12, choices=VipTier.choices, default=VipTier.ORDINARY_1)
    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=12, choices=LifecycleStage.choices,
                                       default=LifecycleStage.EXPLORATION)
    credit_star = models.SmallIntegerField(_("credit star"), choices=CreditStar.choices, null=True, blank=True)
    credit_limit = models.DecimalField(_("credit limit"), default=Decimal("0.00"), **MONEY)
    avg_monthly_spend = models.DecimalField(_("average monthly spend (6 months)"), default=Decimal("0.00"), **MONEY)
    data_completeness = models.PositiveSmallIntegerField(_("data completeness"), default=40)
    policy_explained_at = models.DateTimeField(_("tariff and credit policy explained at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["avg_monthly_spend", "updated_at"])

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("view_personal_data", "Can view unmasked ID number and address"),
            ("export_customers", "Can export customer lists"),
            ("set_vip_tier", "Can set a customer's VIP tier"),
            ("import_customers", "Can import customers from a legacy system with their original join date"),
        ]
        constraints = [models.UniqueConstraint(fields=["id_type", "id_number"], name="customer_unique_identity")]
        indexes = [
            models.Index(fields=["region", "-avg_monthly_spend"], name="cust_region_spend"),
            models.Index(fields=["account_manager", "-avg_monthly_spend"], name="cust_am_spend"),
            models.Index(fields=["credit_star"], name="cust_star"),
            models.Index(fields=["status"], name="cust_status"),
            models.Index(fields=["join_date"], name="cust_join_date"),
            models.Index(fields=["-avg_monthly_spend"], name="cust_spend"),
            models.Index(fields=["id_last4"], name="cust_id_last4"),
            models.Index(fields=["name"], name="cust_name", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_last4 = self.id_number[-4:].upper()
        super().save(*args, **kwargs)


class Line(TimeStampedModel):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="lines", verbose_name=_("customer"))
    msisdn = models.CharField(_("mobile number"), max_length=11, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, verbose_name=_("plan"))
    status = models.CharField(_("status"), max_length=16, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    activated_on = models.DateField(_("activated on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Billing's cancellation keeps the number this long (number retention by star, customers.policies): a
    # reactivation up to this day reopens the line. Empty: not reopenable (open, or closed by the arrears run).
    reopen_until = models.DateField(_("number kept until"), null=True, blank=True)
    enterprise = models.ForeignKey("enterprise.EnterpriseAccount", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="member_lines", verbose_name=_("enterprise account"))
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["msisdn"]
        # The lines closed since a month (the credit report's churn by month) without reading every line.
        indexes = [models.Index(fields=["closed_on"], name="line_closed_on", condition=Q(closed_on__isnull=False))]
        verbose_name = _("line")
        verbose_name_plural = _("lines")

    def __str__(self):
        return self.msisdn


class LineStatusChange(models.Model):
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="status_changes", db_index=False,
                             verbose_name=_("line"))
    from_status = models.CharField(_("from"), max_length=16, choices=ServiceStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=ServiceStatus.choices)
    changed_at = models.DateTimeField(_("changed at"))
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(_("source"), max_length=30, help_text=_("billing, policy version, staff …"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   verbose_name=_("changed by"))

    class Meta:
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["line", "-changed_at"], name="linestatus_line_time")]
        verbose_name = _("line status change")
        verbose_name_plural = _("line status changes")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class RelatedContact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="related_contacts")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20)
    msisdn = models.CharField(_("mobile number"), max_length=11)

    class Meta:
        verbose_name = _("related contact")
        verbose_name_plural = _("related contacts")

    def __str__(self):
        return f"{self.name} ({self.relation})"


class Device(models.Model):
    """Devices a customer has used; the newest is the current one (device changes feed retention, 001)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="devices", db_index=False)
    # The line it was reported on (intake keys devices by number); empty on rows from before the device intake.
    line = models.ForeignKey("customers.Line", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             db_index=False, verbose_name=_("line"))
    brand = models.CharField(_("device brand"), max_length=30)
    model = models.CharField(_("device model"), max_length=50)
    price_band = models.CharField(_("price band"), max_length=6, choices=PriceBand.choices)
    dual_sim = models.BooleanField(_("dual SIM"), default=False)
    started_on = models.DateField(_("in use since"))
    # The day the next device on the same line came into use (kept by the intake): empty = the current one.
    superseded_on = models.DateField(_("replaced on"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["customer", "-started_on"], name="device_customer_time")]
        constraints = [models.UniqueConstraint(fields=["line", "started_on"], name="device_once_per_line_day")]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self):
        return f"{self.brand} {self.model}"


class UsageSummary(models.Model):
    """Monthly usage of one line, pushed by billing."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="usage", db_index=False,
                             verbose_name=_("line"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="usage", db_index=False,
                                 verbose_name=_("customer"))
    month = models.DateField(_("month"), help_text=_("First day of the month"))
    voice_minutes = models.PositiveIntegerField(_("voice minutes"))
    data_mb = models.PositiveIntegerField(_("data MB"))
    sms_count = models.PositiveIntegerField(_("SMS"))
    competitor_hotline_calls = models.PositiveIntegerField(_("calls to competitor hotlines"), default=0)
    plan_saturation = models.DecimalField(_("plan saturation %"), max_digits=6, decimal_places=2)
    broadband_bundled = models.BooleanField(_("broadband bundled"), default=False)
    bill_amount = models.DecimalField(_("bill amount"), **MONEY)
    prepaid_balance = models.DecimalField(_("prepaid balance"), **MONEY)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["line", "month"], name="usage_once_per_line_month")]
        indexes = [models.Index(fields=["customer", "month"], name="usage_customer_month")]
        verbose_name = _("usage summary")
        verbose_name_plural = _("usage summaries")

    def __str__(self):
        return f"{self.line_id} {self.month:%Y-%m}"


class BlacklistEntry(TimeStampedModel):
    """A person who must settle old arrears before opening new service (source 000)."""

    id_type = models.CharField(_("ID type"), max_length=12, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = models.CharField(_("ID number"), max_length=32)
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="blacklist_entries")
    reason = models.CharField(_("reason"), max_length=200)
    amount_owed = models.DecimalField(_("amount owed"), **MONEY)
    # Lifecycle (credit.blacklist): payments on the entry's line since it was added, evidence, who cleared it.
    # (database defaults too: the nightly closure inserts entries in SQL)
    amount_paid = models.DecimalField(_("paid since"), default=0, db_default=0, **MONEY)
    line = models.ForeignKey("Line", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("line"))
    evidence = models.CharField(_("evidence"), max_length=300, blank=True, default="", db_default="")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("added by"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("cleared by"))
    cleared_reason = models.CharField(_("reason cleared"), max_length=200, blank=True, default="", db_default="")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        indexes = [models.Index(fields=["id_number", "id_type"], name="blacklist_identity")]

    def __str__(self):
        return f"{self.id_number[:4]}…{self.id_number[-4:]} ({self.amount_owed})"

    @property
    def amount_outstanding(self):
        return max(self.amount_owed - self.amount_paid, 0)


class OnboardingCallback(TimeStampedModel):
    """Call the new customer back to re-confirm identity within 3 days of joining (source 000)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="callbacks")
    due_on = models.DateField(_("due on"))
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="callbacks", verbose_name=_("assigned to"))
    status = models.CharField(_("status"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("onboarding callback")
        verbose_name_plural = _("onboarding callbacks")


class PersonalDataAccess(models.Model):
    """Every view of an unmasked ID number or address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("user"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, verbose_name=_("customer"))
    fields = models.CharField(_("fields"), max_length=100)
    channel = models.CharField(_("via"), max_length=8, choices=AccessChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=RevealPurpose.choices)
    purpose_note = models.CharField(_("purpose note"), max_length=200)
    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self):
        return f"{self.user_id} → {self.customer_id} ({self.fields})"


class DecisionEvent(models.Model):
    """One decision billing must act on, written in the decision's transaction (customers/events.py).

    `seq` is the cursor of /api/billing/events/: numbered once committed, by the sequencer
    (customers.events.events_sequence, one at a time), so a row a slow transaction commits late gets a cursor
    above every one already read: a reader paging on it never skips a row (the bigserial `id` alone could)."""

    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(_("cursor"), null=True, blank=True, unique=True)
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="decision_events", verbose_name=_("line"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False,
                                 verbose_name=_("customer"))
    msisdn = models.CharField(_("mobile number"), max_length=11)
    kind = models.CharField(_("kind"), max_length=32, choices=DecisionKind.choices)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    rule = models.CharField(_("rule"), max_length=60, blank=True)
    policy_version = models.CharField(_("policy version"), max_length=40, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["id"], condition=models.Q(seq__isnull=True),
                                name="decisionevent_unsequenced")]
        verbose_name = _("decision event")
        verbose_name_plural = _("decision events")

    def __str__(self):
        return f"{self.msisdn} {self.kind} {self.from_state}→{self.to_state}"


from customers.models_inputs import (  # noqa: E402,F401  the inputs' models, in their own module
    CallQuality, CareContact, Contract, HeldService, PaymentMethodRecord,
)
