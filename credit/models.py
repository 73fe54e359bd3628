"""The factor model as data (dimensions → factors → bins → points, weights, star cut-offs) and rating history."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BatchRun, RegionChunkFact, TimeStampedModel
from credit.choices import (
    Dimension, ExtendedService, Feature, FourEyesKind, FourEyesStatus, ModelStatus, RatingKind, RequestStatus,
    SmsEvent, SmsStatus,
)
from customers.models import MONEY, Customer

ERR_PUBLICATION_WAITING = _("Publication of this draft waits for a second officer (request #%(id)s): it cannot "
                            "change until the request is decided.")
ERR_PUBLISHED_IMMUTABLE = _("Version %(version)s is published and cannot be edited; copy it to a new draft.")


class ScoringModel(TimeStampedModel):
    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.DRAFT)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("published by"))
    # registry (#15): a draft may be the challenger, scored nightly in shadow beside the published champion
    challenger = models.BooleanField(_("challenger (scored nightly in shadow)"), default=False)
    data_from = models.DateField(_("training data from"), null=True, blank=True)
    data_to = models.DateField(_("training data to"), null=True, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True,
                               help_text=_("e.g. information value per factor of a fitted scorecard"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["status"], condition=models.Q(status="published"),
                                               name="one_published_scoring_model"),
                       models.UniqueConstraint(fields=["challenger"], condition=models.Q(challenger=True),
                                               name="one_challenger_scoring_model")]
        verbose_name = _("scoring model")
        verbose_name_plural = _("scoring models")

    def __str__(self):
        return f"v{self.version} {self.name} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == ModelStatus.DRAFT

    def waiting_publication_id(self) -> int | None:
        """The four-eyes request to publish this draft that waits for a second officer, if any."""
        return FourEyesRequest.objects.filter(
            kind=FourEyesKind.SCORING_MODEL_PUBLISH, subject_type=ContentType.objects.get_for_model(ScoringModel),
            subject_id=self.pk, status=FourEyesStatus.PENDING).values_list("pk", flat=True).first()

    def check_editable(self):
        """Only a draft changes, and not while its publication waits for a second officer (every path: pages,
        services, admin, shell -- its factors, bins and cut-offs check this on save and delete)."""
        if not self.is_editable:
            raise ValidationError(ERR_PUBLISHED_IMMUTABLE, code="immutable", params={"version": self.version})
        waiting = self.waiting_publication_id() if self.pk else None
        if waiting:
            raise ValidationError(ERR_PUBLICATION_WAITING, code="publication_waiting", params={"id": waiting})


class DraftOnlyChild(models.Model):
    """Factors, bins and cut-offs can change only while their model is a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.owning_model().check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.owning_model().check_editable()
        return super().delete(*args, **kwargs)

    def owning_model(self) -> ScoringModel:
        raise NotImplementedError


class Factor(DraftOnlyChild):
    scoring_model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="factors")
    dimension = models.CharField(_("dimension"), max_length=15, choices=Dimension.choices)
    feature = models.CharField(_("feature"), max_length=20, choices=Feature.choices)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension", "feature"]
        constraints = [models.UniqueConstraint(fields=["scoring_model", "feature"], name="factor_once_per_model")]
        verbose_name = _("factor")
        verbose_name_plural = _("factors")

    def __str__(self):
        return f"{self.get_feature_display()} × {self.weight}"

    def owning_model(self):
        return self.scoring_model


class FactorBin(DraftOnlyChild):
    """Points for a feature value in [lower, upper) — or equal to `category` for a categorical feature."""

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="bins")
    lower = models.DecimalField(_("from (inclusive)"), max_digits=12, decimal_places=2, null=True, blank=True)
    upper = models.DecimalField(_("to (exclusive)"), max_digits=12, decimal_places=2, null=True, blank=True)
    category = models.CharField(_("category"), max_length=30, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["factor", "lower", "category"]
        verbose_name = _("factor bin")
        verbose_name_plural = _("factor bins")

    def __str__(self):
        if self.category:
            return f"= {self.category}: {self.points}"
        lower = "-∞" if self.lower is None else self.lower
        upper = "∞" if self.upper is None else self.upper
        return f"[{lower}, {upper}): {self.points}"

    def owning_model(self):
        return self.factor.scoring_model


class StarCutoff(DraftOnlyChild):
    scoring_model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="cutoffs")
    star = models.PositiveSmallIntegerField(_("star"), choices=[(s, f"{s}★") for s in range(1, 6)])
    min_score = models.DecimalField(_("minimum score"), max_digits=8, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-star"]
        constraints = [models.UniqueConstraint(fields=["scoring_model", "star"], name="cutoff_once_per_star")]
        verbose_name = _("star cut-off")
        verbose_name_plural = _("star cut-offs")

    def __str__(self):
        return f"{self.star}★ ≥ {self.min_score}"

    def owning_model(self):
        return self.scoring_model


class Rating(models.Model):
    """One decision about a customer's star and limit, with everything needed to explain it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ratings", db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=RatingKind.choices)
    run = models.ForeignKey(BatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    scoring_model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="ratings", db_index=False)
    policy_version = models.CharField(_("model / policy version"), max_length=30)
    factor_values = models.JSONField(_("factor values"), default=dict)
    points = models.JSONField(_("points per factor"), default=dict)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    old_star = models.SmallIntegerField(_("old star"), null=True, blank=True)
    new_star = models.SmallIntegerField(_("new star"), null=True, blank=True)
    old_limit = models.DecimalField(_("old limit"), **MONEY)
    new_limit = models.DecimalField(_("new limit"), **MONEY)
    rule = models.CharField(_("rule"), max_length=50, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("second approver"))
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["customer", "-decided_at"], name="rating_customer_time"),
                   # the audit page's newest decisions (core.audit.DecisionLog): 1M+ ratings at 1M customers
                   models.Index(fields=["-decided_at"], name="rating_time")]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self):
        return f"{self.customer_id}: {self.old_star} → {self.new_star}"


class StarSnapshot(models.Model):
    """How many customers held each star on a day (star NULL = unrated): the distribution over time."""

    taken_on = models.DateField(_("day"))
    star = models.SmallIntegerField(_("star"), null=True, blank=True)
    count = models.PositiveIntegerField(_("customers"))

    class Meta:
        ordering = ["taken_on", "star"]
        constraints = [models.UniqueConstraint(fields=["taken_on", "star"], name="snapshot_once_per_day_star",
                                               nulls_distinct=False)]
        verbose_name = _("star snapshot")
        verbose_name_plural = _("star snapshots")

    def __str__(self):
        return f"{self.taken_on} {self.star}: {self.count}"


class SmsTemplate(TimeStampedModel):
    """Editable text for a touchpoint event. Placeholders: {name} {star} {old_star} {limit} {amount} {days} {date}."""

    event = models.CharField(_("event"), max_length=20, choices=SmsEvent.choices, unique=True)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["event"]
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")

    def __str__(self):
        return self.get_event_display()


class SmsMessage(models.Model):
    """The outbox: one row per message, sent by the dispatcher through the configured gateway."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="sms_messages", db_index=False)
    msisdn = models.CharField(_("mobile number"), max_length=11)
    event = models.CharField(_("event"), max_length=20, choices=SmsEvent.choices)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=8, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    dedup_key = models.CharField(_("deduplication key"), max_length=80, unique=True)
    gateway_ref = models.CharField(_("gateway reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True,
                                           help_text=_("after a failed attempt: not retried before"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="sms_customer_time"),
                   models.Index(fields=["id"], condition=models.Q(status="queued"), name="sms_queued")]
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")

    def __str__(self):
        return f"{self.event} → {self.msisdn[:3]}****{self.msisdn[-4:]}"


class SmsDelivery(models.Model):
    """Delivery log: one row per gateway attempt."""

    message = models.ForeignKey(SmsMessage, on_delete=models.CASCADE, related_name="deliveries")
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    ok = models.BooleanField(_("accepted by gateway"))
    response = models.CharField(_("gateway response"), max_length=200)

    class Meta:
        ordering = ["-attempted_at"]
        verbose_name = _("SMS delivery attempt")
        verbose_name_plural = _("SMS delivery attempts")

    def __str__(self):
        return f"{self.message_id} {'ok' if self.ok else 'failed'}"


class ExtendedServicePolicy(TimeStampedModel):
    """Constraints of one extended credit service; edited by credit officers, history kept."""

    service = models.CharField(_("service"), max_length=20, choices=ExtendedService.choices, unique=True)
    active = models.BooleanField(_("offered"), default=True)
    min_star = models.PositiveSmallIntegerField(_("minimum star"))
    max_amount = models.DecimalField(_("maximum per request"), **MONEY)
    max_amount_per_month = models.DecimalField(_("maximum per month"), **MONEY)
    max_count_per_month = models.PositiveSmallIntegerField(_("requests per month"))
    max_persons_per_month = models.PositiveSmallIntegerField(_("different receivers per month"))
    validity_days = models.PositiveSmallIntegerField(
        _("validity (days)"), default=0, help_text=_("Credit sharing: how long a share lasts; 0 = permanent"))
    channels = models.CharField(_("allowed channels"), max_length=100, help_text=_("comma-separated, e.g. app,outlet"))
    # Policy data of source 004 (条件、数额、次数与人数、生效时间、有效期限、渠道): versioned, each request records it.
    effective_hours = models.PositiveSmallIntegerField(
        _("takes effect after (hours)"), default=0, help_text=_("Credit sharing: hours between approval and effect"))
    giver_floor = models.DecimalField(_("giver's floor"), default=0, help_text=_(
        "Balance transfer: the giver's balance may not fall below this"), **MONEY)
    version = models.PositiveIntegerField(_("policy version"), default=1)
    history = HistoricalRecords()

    def save(self, *args, **kwargs):
        if self.pk:  # every saved change is a new version; requests record the version that decided them
            self.version += 1
        super().save(*args, **kwargs)

    class Meta:
        verbose_name = _("extended service policy")
        verbose_name_plural = _("extended service policies")

    def __str__(self):
        return self.get_service_display()


class ExtendedServiceRequest(models.Model):
    """Every request, approved or refused, with the rule that refused it."""

    service = models.CharField(_("service"), max_length=20, choices=ExtendedService.choices)
    giver = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="extended_given", db_index=False)
    receiver = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="extended_received")
    receiver_msisdn = models.CharField(_("receiving number"), max_length=11)
    amount = models.DecimalField(_("amount"), **MONEY)
    channel = models.CharField(_("channel"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices)
    refused_rule = models.CharField(_("refused by rule"), max_length=20, blank=True)
    message = models.CharField(_("message"), max_length=200, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    effective_at = models.DateTimeField(_("takes effect at"), null=True, blank=True)
    giver_line = models.ForeignKey("customers.Line", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("giving line"))
    policy_version = models.PositiveIntegerField(_("policy version"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["giver", "service", "-created_at"], name="extended_giver_month"),
                   models.Index(fields=["valid_until"], name="extended_active_shares",
                                condition=models.Q(service="credit_sharing", status="approved"))]
        verbose_name = _("extended service request")
        verbose_name_plural = _("extended service requests")

    def __str__(self):
        return f"{self.service} {self.amount} {self.status}"


class FourEyesRequest(models.Model):
    """A decision one person asks for and a different one approves or rejects in their own session.

    Generic: `kind` says what is decided (credit.four_eyes.KINDS: who may decide, how it applies), `subject` what
    it is about, `payload` the proposed change. Nothing applies until approval; stale requests expire."""

    kind = models.CharField(_("kind"), max_length=30, choices=FourEyesKind.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject = GenericForeignKey("subject_type", "subject_id")
    payload = models.JSONField(_("proposed change"), default=dict)
    reason = models.CharField(_("reason"), max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(_("status"), max_length=10, choices=FourEyesStatus.choices,
                              default=FourEyesStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "subject_type", "subject_id"],
                                               condition=models.Q(status="pending"), name="foureyes_one_pending")]
        indexes = [models.Index(fields=["status", "expires_at"], name="foureyes_status_expiry"),
                   models.Index(fields=["subject_type", "subject_id"], name="foureyes_subject")]
        verbose_name = _("four-eyes request")
        verbose_name_plural = _("four-eyes requests")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class SimReplacement(models.Model):
    """A SIM replacement done for a customer, with the fee the yearly free quota and waivers left (source 004)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sim_replacements")
    line = models.ForeignKey("customers.Line", on_delete=models.PROTECT, related_name="+", verbose_name=_("line"))
    star = models.SmallIntegerField(_("star at the time"), null=True, blank=True)
    list_price = models.DecimalField(_("list price"), **MONEY)
    fee = models.DecimalField(_("fee charged"), **MONEY)
    rule = models.CharField(_("rule"), max_length=30)
    channel = models.CharField(_("channel"), max_length=20)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("done by"))
    done_at = models.DateTimeField(_("done at"), default=timezone.now)

    class Meta:
        ordering = ["-done_at"]
        indexes = [models.Index(fields=["customer", "done_at"], name="sim_customer_year")]
        verbose_name = _("SIM replacement")
        verbose_name_plural = _("SIM replacements")

    def __str__(self):
        return f"{self.line_id} {self.done_at:%Y-%m-%d} {self.fee}"


class RebateClaim(models.Model):
    """A rebate (返费): 5★ customers are paid first and verified after, with recovery if verification fails;
    everyone else is verified first, then paid. Payments and recoveries are ledger postings on the line."""

    class Status(models.TextChoices):
        AWAITING_VERIFICATION = "awaiting", _("Awaiting verification")
        PAID_UNVERIFIED = "paid_unverified", _("Paid, verification pending")
        PAID = "paid", _("Verified and paid")
        RECOVERED = "recovered", _("Verification failed: recovered")
        REJECTED = "rejected", _("Verification failed: not paid")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="rebates")
    line = models.ForeignKey("customers.Line", on_delete=models.PROTECT, related_name="+", verbose_name=_("line"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    paid_first = models.BooleanField(_("paid before verification"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("verified by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.CharField(_("verification note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("rebate claim")
        verbose_name_plural = _("rebate claims")

    def __str__(self):
        return f"{self.customer_id} {self.amount} {self.status}"


class ImpactPreview(models.Model):
    """What publishing a model would do today: customers moving from each star to each other star, and the
    change in granted credit (computed set-based over the province, `credit.impact`)."""

    scoring_model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="previews")
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    as_of = models.DateField(_("as of"))
    customers = models.PositiveIntegerField(_("customers"))
    moved = models.PositiveIntegerField(_("customers changing star"))
    credit_change = models.DecimalField(_("change in granted credit"), max_digits=16, decimal_places=2)
    matrix = models.JSONField(_("moves"), default=list, help_text=_("[old star, new star, customers, credit change]"))
    seconds = models.FloatField(_("seconds"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("impact preview")
        verbose_name_plural = _("impact previews")

    def __str__(self):
        return f"v{self.scoring_model.version} {self.as_of}: {self.moved} move"


class ModelStability(models.Model):
    """Population stability (PSI) of one variable of a model (the score, or a factor) in one month against
    the distribution of the month the model was first read."""

    scoring_model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="stability")
    month = models.DateField(_("month"))
    variable = models.CharField(_("variable"), max_length=40)
    psi = models.FloatField(_("PSI"), null=True)
    counts = models.JSONField(_("customers per bin"), default=dict)

    class Meta:
        ordering = ["month", "variable"]
        constraints = [models.UniqueConstraint(fields=["scoring_model", "month", "variable"],
                                               name="credit_stability_once")]
        verbose_name = _("model stability")
        verbose_name_plural = _("model stability")

    def __str__(self):
        return f"v{self.scoring_model_id} {self.month:%Y-%m} {self.variable}: {self.psi}"


# ---------------------------------------------------------------- nightly pre-aggregate of the credit report
# Written only by the batch `credit.report_facts` (credit/report_facts.py): one row per id-range chunk of customers
# and (region, star, status), summed when read. By region (core.scope.aggregate_scope: a province-wide role or a
# regional manager); a manager's or a lead's book is read live.
class StarCountFact(RegionChunkFact):
    """Customers per region, star and service status on a night (the credit report's star distribution and
    star shares)."""

    credit_star = models.SmallIntegerField(null=True)
    status = models.CharField(max_length=16)
    customers = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "region_id"], name="starcountfact_day")]
        verbose_name = _("star count fact")
        verbose_name_plural = _("star count facts")

    def __str__(self):
        return f"{self.day} {self.credit_star}★ {self.status}: {self.customers}"


class OutcomeFact(RegionChunkFact):
    """The credit report's outcome series on a night (credit.outcomes): per region and month, the restorations
    after a barring by credit class (`seconds`: their barred time summed, `n`: how many) and the customers whose last
    line closed, holders and others (`n`). Summed when read; an average is the sum over the count."""

    month = models.DateField()
    measure = models.CharField(max_length=16)  # "barring" or "churn"
    credit_class = models.CharField(max_length=16)  # barring: before / after / others; churn: holder / other
    seconds = models.DecimalField(max_digits=20, decimal_places=6, default=0)  # exact: epoch microseconds
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "region_id"], name="outcomefact_day")]
        verbose_name = _("credit outcome fact")
        verbose_name_plural = _("credit outcome facts")

    def __str__(self):
        return f"{self.day} {self.month:%Y-%m} {self.measure} {self.credit_class}: {self.n}"
