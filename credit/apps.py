from django.apps import AppConfig
from django.utils.translation import gettext, gettext_lazy as _

from credit.choices import RATING_RULE_LABELS


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("Credit")

    def ready(self):
        from core.audit import DecisionLog, decision_log_register, reason_labels_register
        from credit import batches, services, state, tasks  # noqa: F401  register batch kinds and four-eyes kinds
        from credit.signals import sms_queued
        from customers.signals import customers_closed

        # Closure ends credit, whichever path closed the customer's last line (billing, nightly, admin).
        customers_closed.connect(state.on_customers_closed, dispatch_uid="credit.closure_ends_credit")
        sms_queued.connect(tasks.on_sms_queued, dispatch_uid="credit.sms_dispatch_soon")
        # a blacklist entry's history: a payment reduces it, a settling payment clears it (credit.blacklist)
        reason_labels_register({"payment": _("Payment received"), "settled": _("Settled by payment")})
        decision_log_register(DecisionLog(  # extended services: every request, approved or refused with the rule
            label="credit.extendedservicerequest", model="credit.ExtendedServiceRequest", at="created_at",
            user="requested_by", change=lambda r: r.get_status_display(), reason=extended_request_summary))
        decision_log_register(DecisionLog(  # entitlements applied: SIM replacements with the fee the quota left
            label="credit.simreplacement", model="credit.SimReplacement", at="done_at", user="done_by",
            change=lambda r: f"¥{r.fee}", reason=lambda r: f"{r.rule}: customer {r.customer_id}, {r.star}★"))
        decision_log_register(DecisionLog(  # every rating decision: the batches' (run) and officers' (decided_by)
            label="credit.rating", model="credit.Rating", at="decided_at", user="decided_by",
            object_field="customer_id", change=rating_change, reason=rating_reason))
        decision_log_register(DecisionLog(  # rebates: paid first (5★) or after verification, recovered on failure
            label="credit.rebateclaim", model="credit.RebateClaim", at="requested_at", user="requested_by",
            change=lambda r: r.get_status_display(),
            reason=lambda r: f"¥{r.amount}, {_('customer')} {r.customer_id}: {r.reason}"))


def extended_request_summary(r) -> str:
    refusal = f": {r.refused_rule} — {r.message}" if r.refused_rule else ""
    return f"{r.service} ¥{r.amount}, {_('customer')} {r.giver_id} → {r.receiver_id}{refusal}"


def _star(star) -> str:
    return "—" if star is None else f"{star}★"


def rating_change(r) -> str:
    return f"{_star(r.old_star)} → {_star(r.new_star)}, ¥{r.old_limit} → ¥{r.new_limit}"


def rating_reason(r) -> str:
    """The rule and reason, the model/policy version, and the batch run that decided it (none: an officer)."""
    run = f", {_('run')} #{r.run_id}" if r.run_id else ""
    reason = r.reason or ""
    if r.rule and reason.startswith(f"{r.rule}: "):  # an event rating's reason repeats its rule code
        reason = reason[len(r.rule) + 2:]
    rule = f"{RATING_RULE_LABELS.get(r.rule, r.rule)}: " if r.rule else ""
    version = "" if r.policy_version == r.kind else r.policy_version  # an event's version is its kind
    where = ", ".join(part for part in (version, run.lstrip(", ")) if part)
    return f"{r.get_kind_display()} — {rule}{gettext(reason)}" + (f" ({where})" if where else "")
