"""Bills and payments pushed by billing, the append-only ledger and balances, barring states and policy."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from arrears.choices import BarringState, CollectionStatus, LedgerKind
from core.models import ChunkFact, RegionChunkFact
from customers.models import MONEY, Brand, Customer, Line


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
        indexes = [models.Index(fields=["customer", "-paid_at"], name="payment_customer_time"),
                   # the nightly evaluation's payments since the night began (a handful), not every payment
                   BrinIndex(fields=["paid_at"], name="payment_time")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return self.reference


class LineAccount(models.Model):
    """A line's money and barring position. The balance is the sum of its ledger (kept in step by the one
    posting service under a row lock); usable credit = balance + the customer's credit limit."""

    line = models.OneToOneField(Line, on_delete=models.PROTECT, primary_key=True, related_name="account",
                                verbose_name=_("line"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="line_accounts", db_index=False,
                                 verbose_name=_("customer"))
    balance = models.DecimalField(_("balance"), default=0, **MONEY)
    state = models.CharField(_("barring state"), max_length=16, choices=BarringState.choices,
                             default=BarringState.ACTIVE)
    state_since = models.DateField(_("in this state since"))
    arrears_since = models.DateField(_("in arrears since"), null=True, blank=True,
                                     help_text=_("first day usable credit was below 0; empty when it is not"))
    exempt_until = models.DateField(_("exempt from barring until"), null=True, blank=True)
    exempt_reason = models.CharField(_("exemption reason"), max_length=200, blank=True)
    exempt_cap = models.DecimalField(_("overdraft cap while exempt"), null=True, blank=True,
                                     help_text=_("emergency continuity: barring resumes below −cap; empty: no cap"),
                                     **MONEY)
    evaluated_on = models.DateField(_("last evaluated on"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["customer"], name="lineaccount_customer"),
                   models.Index(fields=["state", "arrears_since"], name="lineaccount_state"),
                   models.Index(fields=["arrears_since", "balance"], name="lineaccount_in_arrears",
                                condition=models.Q(arrears_since__isnull=False)),
                   # the collection queue's order (most owed first): its first page without sorting every line
                   models.Index(fields=["balance", "line"], name="lineaccount_queue",
                                condition=models.Q(arrears_since__isnull=False))]
        verbose_name = _("line account")
        verbose_name_plural = _("line accounts")

    def __str__(self):
        return f"{self.line_id} {self.balance} {self.state}"


class LedgerEntry(models.Model):
    """Append-only: entries are never changed or deleted; a correction is a new entry."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="ledger", db_index=False,
                             verbose_name=_("line"))
    kind = models.CharField(_("kind"), max_length=16, choices=LedgerKind.choices)
    amount = models.DecimalField(_("amount"), help_text=_("+ raises the balance (payment), − lowers it (charge)"),
                                 **MONEY)
    posted_at = models.DateTimeField(_("posted at"))
    reference = models.CharField(_("reference"), max_length=80, unique=True,
                                 help_text=_("bill, payment or day the entry comes from: posting twice is refused"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("posted by"))

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["line", "-posted_at"], name="ledger_line_time"),
                   # the audit page lists waivers newest first; a small slice of a large table
                   models.Index(fields=["-posted_at"], condition=models.Q(kind="waiver"), name="ledger_waivers")]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self):
        return f"{self.line_id} {self.kind} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only")


class BarringPolicyVersion(models.Model):
    """The barring policy as versioned data; the published version with the highest number is in force."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    config = models.JSONField(_("settings"), help_text=_("reminder_ratio, reminder_minimum, two_way_after_days, "
                                                         "late_fee_rate, late_fee_waived_stars"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("barring policy version")
        verbose_name_plural = _("barring policy versions")

    def __str__(self):
        return f"barring-v{self.version}"


class BarringEvent(models.Model):
    """Every state change of a line: from, to, the rule, the policy version, who or which run, when."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="barring_events", db_index=False,
                             verbose_name=_("line"))
    from_state = models.CharField(_("from"), max_length=16, choices=BarringState.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=BarringState.choices)
    rule = models.CharField(_("rule"), max_length=40)
    usable_credit = models.DecimalField(_("usable credit"), **MONEY)
    policy_version = models.CharField(_("policy version"), max_length=20)
    at = models.DateTimeField(_("at"))
    run = models.ForeignKey("core.BatchRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("run"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["line", "-at"], name="barringevent_line_time")]
        verbose_name = _("barring event")
        verbose_name_plural = _("barring events")

    def __str__(self):
        return f"{self.line_id} {self.from_state} → {self.to_state}"


class EmergencyPass(models.Model):
    """Emergency continuity (紧急不停机): barring suspended for some days up to an overdraft cap."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="emergency_passes", verbose_name=_("line"))
    granted_at = models.DateTimeField(_("granted at"))
    valid_until = models.DateField(_("valid until"))
    overdraft_cap = models.DecimalField(_("overdraft cap"), **MONEY)
    usable_at_grant = models.DecimalField(_("usable credit at grant"), **MONEY)
    channel = models.CharField(_("channel"), max_length=20)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("granted by"))
    policy_version = models.CharField(_("policy version"), max_length=20)
    arrears_at_expiry = models.DecimalField(_("arrears when the pass ended"), null=True, blank=True,
                                            help_text=_("set by the nightly run after the pass ends"), **MONEY)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("emergency continuity pass")
        verbose_name_plural = _("emergency continuity passes")

    def __str__(self):
        return f"{self.line_id} until {self.valid_until}"


class Exemption(models.Model):
    """A credit officer's exemption of a line from barring (e.g. a government hotline); it is still dunned."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="exemptions", verbose_name=_("line"))
    valid_until = models.DateField(_("valid until"))
    reason = models.CharField(_("reason"), max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("granted by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("barring exemption")
        verbose_name_plural = _("barring exemptions")

    def __str__(self):
        return f"{self.line_id} until {self.valid_until}"


class CollectionCase(models.Model):
    """Collections' work on one line in arrears: promise to pay, outcome; every change kept (history)."""

    line = models.OneToOneField(Line, on_delete=models.PROTECT, related_name="collection_case",
                                verbose_name=_("line"))
    status = models.CharField(_("status"), max_length=12, choices=CollectionStatus.choices,
                              default=CollectionStatus.OPEN)
    promised_on = models.DateField(_("promised payment date"), null=True, blank=True)
    promised_amount = models.DecimalField(_("promised amount"), null=True, blank=True, **MONEY)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    worked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("worked by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collection case")
        verbose_name_plural = _("collection cases")

    def __str__(self):
        return f"{self.line_id} {self.status}"


class ServiceProvider(models.Model):
    """A value-added service provider (SP) whose charges billing collects on the operator's bill and settles
    to it; arrears on those charges are a real loss, so part of them is deducted at settlement (source 000)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")

    def __str__(self):
        return self.name


class SpCharge(models.Model):
    """The part of a bill that an SP charged (pushed with the bill)."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="sp_charges", verbose_name=_("bill"))
    sp = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="charges", db_index=False,
                           verbose_name=_("service provider"))
    period = models.DateField(_("period"), help_text=_("the bill's month, kept here for the settlement query"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bill", "sp"], name="sp_charge_once_per_bill")]
        indexes = [models.Index(fields=["period", "sp"], name="sp_charge_period_sp")]
        verbose_name = _("SP charge")
        verbose_name_plural = _("SP charges")

    def __str__(self):
        return f"{self.sp_id} {self.amount}"


class BillCost(models.Model):
    """The costs billing attributes to one bill (pushed with it): what the operator paid out to earn it."""

    bill = models.OneToOneField(Bill, on_delete=models.CASCADE, related_name="costs", verbose_name=_("bill"))
    interconnect = models.DecimalField(_("interconnect settlement"), default=0, **MONEY)
    handset_subsidy = models.DecimalField(_("handset subsidy"), default=0, **MONEY)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    commission = models.DecimalField(_("channel commission"), default=0, **MONEY)

    class Meta:
        verbose_name = _("bill cost")
        verbose_name_plural = _("bill costs")

    def __str__(self):
        return f"{self.bill_id}"


class CustomerValue(models.Model):
    """A customer's current value (source 000): billed revenue − attributable costs over the 3 billed months
    up to `month`, derived by the monthly value batch (arrears/value.py)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="values", db_index=False,
                                 verbose_name=_("customer"))
    month = models.DateField(_("month"), help_text=_("First day of the last month counted"))
    # the customer's brand when valued: the deciles rank within it (source 000: 在每个品牌中按照客户价值进行细分)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+", db_index=False,
                              verbose_name=_("brand"))
    revenue = models.DecimalField(_("revenue"), **MONEY)
    cost = models.DecimalField(_("cost"), **MONEY)
    value = models.DecimalField(_("value"), **MONEY)
    arpu = models.DecimalField(_("ARPU"), **MONEY)
    decile = models.PositiveSmallIntegerField(_("value decile"), null=True,
                                              help_text=_("1 = the top 10 % of the customer's brand"))

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["customer", "month"], name="customer_value_once_per_month")]
        indexes = [models.Index(fields=["month", "decile"], name="customer_value_month_decile")]
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")

    def __str__(self):
        return f"{self.customer_id} {self.month:%Y-%m} {self.value}"

    @property
    def negative(self) -> bool:
        return self.value < 0


class ValueDecileCut(models.Model):
    """The value deciles' cut points of one (month, brand), taken once over the month's values (arrears/value.py):
    `cuts[k]` is the lowest value of decile k+1 (1 = the top 10 %), so a customer's decile is 1 + the number of
    cuts above their value; every chunk of the decile run compares its rows to them (no sort per chunk)."""

    month = models.DateField(_("month"))
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+", db_index=False,
                              verbose_name=_("brand"))
    cuts = ArrayField(models.DecimalField(**MONEY), size=9, verbose_name=_("cut points"))
    customers = models.PositiveIntegerField(_("customers"))
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "brand"], name="value_decile_cut_once")]
        verbose_name = _("value decile cut points")
        verbose_name_plural = _("value decile cut points")

    def __str__(self):
        return f"{self.month:%Y-%m} {self.brand_id}"


# ---------------------------------------------------------------- nightly pre-aggregates of the arrears report
# Written only by the batch `arrears.report_facts` (arrears/report_facts.py): one row per id-range chunk of
# customers and dimension values, summed when read. By region (the narrowest scope they serve: a province-wide
# role or a regional manager); a manager's or a lead's book is read live.
class ReportChannelFact(RegionChunkFact):
    """Per acquiring channel: lines, lines in arrears, what they owe, the customers' data completeness."""

    channel_id = models.BigIntegerField(null=True)
    lines = models.IntegerField()
    in_arrears = models.IntegerField()
    owed = models.DecimalField(max_digits=16, decimal_places=2, null=True)  # sum of the balances in arrears
    completeness_sum = models.BigIntegerField()  # over the customer × line rows the scorecard averages
    completeness_rows = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "region_id"], name="reportchannelfact_day")]

    def __str__(self):
        return f"{self.day} channel {self.channel_id}: {self.in_arrears}/{self.lines}"


class ReportFact(RegionChunkFact):
    """Lines in arrears and what they owe per star, brand and aging bucket."""

    credit_star = models.SmallIntegerField(null=True)
    brand_id = models.BigIntegerField(null=True)
    bucket = models.CharField(max_length=8)
    lines = models.IntegerField()
    owed = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["day", "region_id"], name="reportfact_day")]

    def __str__(self):
        return f"{self.day} {self.credit_star}★ {self.bucket}: {self.lines}"


class StarHistoryFact(ChunkFact):
    """The province's customers per star: how many, how many in arrears, what they owe, how many closed (the
    history a campaign's risk assessment forecasts from)."""

    credit_star = models.SmallIntegerField(null=True)
    customers = models.IntegerField()
    in_arrears = models.IntegerField()
    owed = models.DecimalField(max_digits=16, decimal_places=2)
    closed = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="starhistoryfact_day")]

    def __str__(self):
        return f"{self.day} {self.credit_star}★: {self.customers}"


class SpSettlementFact(ChunkFact):
    """Per settlement month, SP and acquiring agent: what the SP charged and its share of the arrears as the bills
    stood that night, for the policy's minimum line arrears (arrears.settlement reads them for that minimum)."""

    period = models.DateField()
    sp_id = models.BigIntegerField()
    agent_id = models.BigIntegerField(null=True)
    revenue = models.DecimalField(max_digits=16, decimal_places=2)
    lines = models.IntegerField()
    share = models.DecimalField(max_digits=24, decimal_places=12)  # unrounded: rounded once, when summed
    left_out = models.DecimalField(max_digits=24, decimal_places=12)
    lines_in_arrears = models.IntegerField()
    captive_lines = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "period"], name="spsettlementfact_day")]

    def __str__(self):
        return f"{self.day} {self.period:%Y-%m} SP {self.sp_id}: {self.share}"


class BarringDurationFact(RegionChunkFact):
    """Restorations in the 12 months before the night and their days barred, per region and credit holding
    (1★+; NULL for the unrated, as the live query groups them)."""

    holder = models.BooleanField(null=True)
    restorations = models.IntegerField()
    days = models.DecimalField(max_digits=24, decimal_places=12)

    class Meta:
        indexes = [models.Index(fields=["day", "region_id"], name="barringdurationfact_day")]

    def __str__(self):
        return f"{self.day} holder={self.holder}: {self.restorations}"


class ValueFact(RegionChunkFact):
    """The customer value report's figures (80/20/30, arrears.value) of the latest ranked month as it stood that
    night, per region: how many valued, their value and revenue, the top 20 % and bottom 30 % of their brand
    (count, value, the bottom's cost) and the negative-value customers."""

    month = models.DateField()
    customers = models.IntegerField()
    total = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    top_customers = models.IntegerField()
    top_value = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    bottom_customers = models.IntegerField()
    bottom_value = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    bottom_cost = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    negative = models.IntegerField()
    negative_value = models.DecimalField(max_digits=18, decimal_places=2, null=True)

    class Meta:
        indexes = [models.Index(fields=["day", "region_id"], name="valuefact_day")]

    def __str__(self):
        return f"{self.day} {self.month:%Y-%m}: {self.customers}"
