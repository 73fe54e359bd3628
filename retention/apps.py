from django.apps import AppConfig
from django.utils.translation import gettext, gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self):
        from core.audit import DecisionLog, decision_log_register
        from customers.signals import customers_closed
        from retention import batches, publication, verify  # noqa: F401  registers the scan and verification batch
        # kinds, and the four-eyes kind of a churn model's publication
        from retention.receivers import close_alerts_of_closed_customers

        customers_closed.connect(close_alerts_of_closed_customers, dispatch_uid="retention.close_alerts")

        decision_log_register(DecisionLog(  # each step of an alert, by whom (none: the nightly scan) and why
            label="retention.alertevent", model="retention.AlertEvent", at="at", user="by", object_field="alert_id",
            change=lambda e: f"{e.get_from_status_display() or '—'} → {e.get_to_status_display()}",
            reason=lambda e: gettext(e.note) if e.note else (_("nightly scan") if e.by_id is None else "")))
