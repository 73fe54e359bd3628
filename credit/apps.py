from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("Credit")

    def ready(self):
        from core.audit import DecisionLog, register_decision_log
        from credit import batches, services, state  # noqa: F401  register batch kinds and four-eyes kinds
        from customers.signals import customers_closed

        # Closure ends credit, whichever path closed the customer's last line (billing, nightly, admin).
        customers_closed.connect(state.on_customers_closed, dispatch_uid="credit.closure_ends_credit")
        register_decision_log(DecisionLog(  # extended services: every request, approved or refused with the rule
            label="credit.extendedservicerequest", model="credit.ExtendedServiceRequest", at="created_at",
            user="requested_by", change=lambda r: r.status, reason=extended_request_summary))


def extended_request_summary(r) -> str:
    refusal = f": {r.refused_rule} — {r.message}" if r.refused_rule else ""
    return f"{r.service} {r.amount} CNY, customer {r.giver_id} → {r.receiver_id}{refusal}"
