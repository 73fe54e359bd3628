from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArrearsConfig(AppConfig):
    name = "arrears"
    verbose_name = _("Arrears")

    def ready(self):
        from arrears import evaluation  # noqa: F401  registers the nightly evaluation batch kind
        from arrears import value  # noqa: F401  registers the monthly customer value batch kinds
        from arrears import report_facts  # noqa: F401  registers the nightly report facts batch kind
        from arrears import policy_versions  # noqa: F401  registers the four-eyes kind of a policy's publication
        from arrears import selectors, services
        from core.audit import DecisionLog, decision_log_register
        from credit.ledger import ledger_register, recovery_register

        ledger_register(services)  # credit's grants post to this ledger through the port (credit sits below)
        recovery_register(selectors.emergency_recovery)  # the credit report's recovery panel reads it the same way

        decision_log_register(DecisionLog(  # late-fee waivers live in the append-only ledger
            label="arrears.latefeewaiver", model="arrears.LedgerEntry", filter={"kind": "waiver"}, at="posted_at",
            user="posted_by", object_field="line_id", title=_("Late-fee waiver"),
            change=lambda e: _("waived ¥%(amount)s") % {"amount": e.amount},
            reason=lambda e: e.note))
