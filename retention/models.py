from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from retention import policies
from retention.choices import AlertStatus, Offer, Signal

MONEY = {"max_digits": 12, "decimal_places": 2}


class SignalConfig(models.Model):
    """The admin's setting of one churn signal; defaults come from `policies.DEFAULT_SIGNALS`."""

    code = models.CharField(_("signal"), max_length=30, choices=Signal.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2)
    weight = models.PositiveSmallIntegerField(_("weight (points)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("signal setting")
        verbose_name_plural = _("signal settings")

    def __str__(self):
        return self.get_code_display()


class ScanSettings(models.Model):
    """One row: the alert threshold and the cool-down of the nightly scan."""

    alert_threshold = models.PositiveSmallIntegerField(_("alert threshold (score)"),
                                                       default=policies.ALERT_THRESHOLD)
    cooldown_days = models.PositiveSmallIntegerField(_("cool-down after a closed alert (days)"),
                                                     default=policies.COOLDOWN_DAYS)
    retained_check_days = models.PositiveSmallIntegerField(
        _("days after which a retention is verified"), default=policies.RETAINED_CHECK_DAYS,
        help_text=_("retained is confirmed when the customer still has an open line this many days later"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scan settings")
        verbose_name_plural = _("scan settings")

    def __str__(self):
        return str(_("Retention scan settings"))


class ChurnScore(models.Model):
    """A customer's risk score on a scan day with the signals that fired; only scores above 0 are stored."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="churn_scores", db_index=False,
                                 verbose_name=_("customer"))
    scanned_on = models.DateField(_("scanned on"))
    score = models.PositiveSmallIntegerField(_("score"))
    signals = models.JSONField(_("signals"), default=dict, blank=True)
    probability = models.FloatField(_("churn probability (learned model)"), null=True, blank=True)

    class Meta:
        ordering = ["-scanned_on", "-score"]
        constraints = [models.UniqueConstraint(fields=["customer", "scanned_on"], name="churnscore_once_per_day")]
        indexes = [models.Index(fields=["scanned_on", "-score"], name="churnscore_day_score")]
        verbose_name = _("churn score")
        verbose_name_plural = _("churn scores")

    def __str__(self):
        return f"{self.customer_id} · {self.scanned_on} · {self.score}"


class UsageSignals(models.Model):
    """A customer's usage-derived signal values for the scan month `month0` (12 months of usage before it).

    They change only when the month turns or the customer's usage rows change, so the nightly scan reads them
    from here and recomputes only customers without a row for the month. Database triggers on the usage table
    delete a customer's rows whenever their usage is written (migration 0007), whoever writes it.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    month0 = models.DateField()
    spend_falling = models.PositiveSmallIntegerField(null=True)
    # as computed (signals.usage_aggregates); enough places that a cached value meets a threshold exactly
    # when the computed one does
    usage_swing = models.DecimalField(max_digits=24, decimal_places=1, null=True)
    competitor_calls = models.IntegerField(null=True)
    saturation = models.DecimalField(max_digits=16, decimal_places=8, null=True)
    broadband = models.BooleanField(null=True)
    recent_spend = models.DecimalField(max_digits=20, decimal_places=8, null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "month0"], name="usage_signals_once_per_month")]

    def __str__(self):
        return f"{self.customer_id} {self.month0:%Y-%m}"


class RetentionAlert(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="retention_alerts",
                                 db_index=False, verbose_name=_("customer"))
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+", verbose_name=_("account manager"))
    opened_at = models.DateTimeField(_("opened at"))
    status = models.CharField(_("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    score = models.PositiveSmallIntegerField(_("score"))
    signals = models.JSONField(_("signals"), default=dict, blank=True)
    suggested_offers = models.JSONField(_("suggested offers"), default=list, blank=True)
    offer = models.CharField(_("offer made"), max_length=20, choices=Offer.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    offer_cost = models.DecimalField(_("offer cost"), default=Decimal("0.00"), **MONEY)
    notes = models.TextField(_("notes"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    probability = models.FloatField(_("churn probability (learned model)"), null=True, blank=True)
    explanation = models.JSONField(_("why (top contributing features)"), default=list, blank=True)
    scored_by = models.CharField(_("opened by model"), max_length=60, blank=True,
                                 help_text=_("the weighted score or the learned model version that opened it"))
    # "retained" is a claim until the daily verification: confirmed (line still open N days later) or reverted
    verification = models.CharField(_("verification"), max_length=10, blank=True, default="", db_default="",
                                    choices=[("pending", _("pending verification")), ("confirmed", _("confirmed")),
                                             ("reverted", _("reverted: the customer left"))])
    verify_on = models.DateField(_("verified on or after"), null=True, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    points = models.PositiveSmallIntegerField(_("incentive points (high-risk kept)"), default=0, db_default=0)
    value_points = models.PositiveSmallIntegerField(_("incentive points (value raised)"), default=0, db_default=0)

    class Meta:
        ordering = ["-score", "-opened_at"]
        constraints = [models.UniqueConstraint(fields=["customer"], condition=Q(closed_at__isnull=True),
                                               name="retentionalert_one_open_per_customer")]
        indexes = [models.Index(fields=["customer", "-opened_at"], name="alert_customer_time"),
                   models.Index(fields=["account_manager", "status"], name="alert_manager_status"),
                   models.Index(fields=["status", "-score"], name="alert_status_score"),
                   models.Index(fields=["verify_on"], condition=Q(verification="pending"),
                                name="alert_pending_verification"),
                   # the queue's sortable headers (score, opened) over a province, either direction, id last
                   models.Index(fields=["score", "id"], name="alert_score_id"),
                   models.Index(fields=["opened_at", "id"], name="alert_opened_id")]
        verbose_name = _("retention alert")
        verbose_name_plural = _("retention alerts")

    def __str__(self):
        return f"{self.customer_id} · {self.score} · {self.get_status_display()}"

    @property
    def is_closed(self) -> bool:
        return self.status in policies.CLOSED_STATUSES

    @property
    def offer_terms(self) -> dict | None:
        """The suggested offer the manager made, with its terms (target plan and fee, bonus %), if it was one."""
        return next((o for o in self.suggested_offers or [] if o.get("code") == self.offer), None)


class AlertEvent(models.Model):
    """Audit trail of an alert: every status change, by whom, when, and why."""

    alert = models.ForeignKey(RetentionAlert, on_delete=models.CASCADE, related_name="events",
                              verbose_name=_("alert"))
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("by"), help_text=_("empty = the nightly scan"))
    from_status = models.CharField(_("from"), max_length=12, choices=AlertStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=AlertStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class LearnedModel(models.Model):
    """A churn model trained on the province's own history; kept only when it beat the weighted score."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    kind = models.CharField(_("kind"), max_length=40)  # "logistic_regression" / "gradient_boosting"
    trained_on = models.DateField(_("trained as of"), help_text=_("outcome = churn during that month"))
    validated_on = models.DateField(_("validated as of"), help_text=_("a later month the model never saw"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    train_customers = models.PositiveIntegerField(_("training customers"))
    validation_customers = models.PositiveIntegerField(_("validation customers"))
    weighted_auc = models.FloatField(_("validation AUC, weighted score"))
    learned_auc = models.FloatField(_("validation AUC, learned model"))
    feature_names = models.JSONField(_("features"), default=list)
    coefficients = models.JSONField(_("coefficients"), default=dict, blank=True,
                                    help_text=_("standardised, for logistic regression; empty for boosting"))
    library_version = models.CharField(_("scikit-learn version"), max_length=20)
    blob = models.BinaryField(_("fitted model (joblib)"))
    active = models.BooleanField(_("active"), default=False)
    alert_probability = models.FloatField(
        _("alert at probability"), default=0.5,
        help_text=_("chosen at training so the model opens as many alerts as the weighted score would"))
    # registry (#15): the honest-feature product model, its protocol's figures, who published it
    feature_set = models.CharField(_("feature set"), max_length=20, default="signals-v1")
    target = models.CharField(_("target"), max_length=20, default="any", help_text=_("voluntary / any churn"))
    challenger = models.BooleanField(_("challenger (scored nightly in shadow)"), default=False)
    data_from = models.DateField(_("training data from"), null=True, blank=True)
    data_to = models.DateField(_("training data to"), null=True, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    threshold_basis = models.CharField(_("alert threshold chosen by"), max_length=200, blank=True)
    reference = models.JSONField(_("reference distribution (PSI)"), default=dict, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=Q(active=True),
                                               name="learnedmodel_one_active"),
                       models.UniqueConstraint(fields=["challenger"], condition=Q(challenger=True),
                                               name="learnedmodel_one_challenger")]
        verbose_name = _("learned churn model")
        verbose_name_plural = _("learned churn models")

    def __str__(self):
        return f"v{self.version} {self.kind} (AUC {self.learned_auc:.3f} vs {self.weighted_auc:.3f})"

    @property
    def label(self) -> str:
        return f"learned v{self.version} {self.kind}"


class ModelStability(models.Model):
    """PSI of a learned model's score or one input in a month, against its training distribution."""

    learned_model = models.ForeignKey(LearnedModel, on_delete=models.CASCADE, related_name="stability")
    month = models.DateField(_("month"))
    variable = models.CharField(_("variable"), max_length=40)
    psi = models.FloatField(_("PSI"), null=True)
    counts = models.JSONField(_("customers per bin"), default=dict)

    class Meta:
        ordering = ["month", "variable"]
        constraints = [models.UniqueConstraint(fields=["learned_model", "month", "variable"],
                                               name="retention_stability_once")]

    def __str__(self):
        return f"v{self.learned_model_id} {self.month:%Y-%m} {self.variable}: {self.psi}"


class ShadowComparison(models.Model):
    """A night's scoring of the challenger in shadow beside the champion: who each would alert."""

    day = models.DateField(_("day"))
    champion = models.ForeignKey(LearnedModel, on_delete=models.SET_NULL, null=True, related_name="+")
    challenger = models.ForeignKey(LearnedModel, on_delete=models.CASCADE, related_name="shadow_nights")
    customers = models.PositiveIntegerField(_("customers scored"))
    champion_alerts = models.PositiveIntegerField(_("champion would alert"))
    challenger_alerts = models.PositiveIntegerField(_("challenger would alert"))
    both = models.PositiveIntegerField(_("both would alert"))
    rank_correlation = models.FloatField(_("rank correlation"), null=True)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["day", "challenger"], name="shadow_once_per_night")]

    def __str__(self):
        return f"{self.day} v{self.challenger_id}"
