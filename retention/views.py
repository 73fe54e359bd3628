from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.generic_views import ObjectFormView, PageView, ScopedListView
from retention import policies, selectors, services
from retention.filtersets import RetentionAlertFilterSet
from retention.forms import AlertTransitionForm


class AlertListView(ScopedListView):
    """The alert queue: a manager's own alerts, a lead's team's, all for credit and admin."""

    template_name = "retention/alert_list.html"
    selector = selectors.alert_list
    filterset_class = RetentionAlertFilterSet
    default_ordering = "-score"  # the model's order: highest score first
    columns = [(gettext_lazy("Customer"), None), (gettext_lazy("Score"), "score", "end"),
               (gettext_lazy("Signals"), None), (gettext_lazy("Status"), None), (gettext_lazy("Opened"), "opened_at"),
               (gettext_lazy("Account manager"), None)]

    def get_extra_context(self):
        return {"champion": selectors.champion_model()}


class AlertDetailView(ObjectFormView):
    permission_required = "retention.view_retentionalert"
    object_selector = selectors.alert_get
    context_object_name = "alert"
    form_class = AlertTransitionForm
    success_message = gettext_lazy("Alert updated.")
    service = services.alert_transition

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "allowed": policies.TRANSITIONS.get(self.object.status, ())}

    def changeable(self):
        return bool(policies.TRANSITIONS.get(self.object.status))


class EffectivenessReportView(PageView):
    """Retention rate and cost per retained customer by offer, manager, region and month, in the user's scope."""

    permission_required = "retention.view_retentionalert"
    template_name = "retention/report.html"

    def get_extra_context(self):
        user = self.request.user
        by_month = selectors.effectiveness(user=user, by="month")
        tables = [(_("By offer"), selectors.effectiveness(user=user, by="offer")),
                  (_("By account manager"), selectors.effectiveness(user=user, by="manager")),
                  (_("By region"), selectors.effectiveness(user=user, by="region")),
                  (_("By month closed"), by_month)]
        return {"tables": tables, "by_month": by_month}


class ChurnModelsView(PageView):
    """The churn model registry: versions, their protocol's figures, champion and challenger side by side (the
    nightly shadow comparison) and the champion's population stability (PSI) by month."""

    permission_required = "retention.view_retentionalert"
    template_name = "retention/models.html"

    def get_extra_context(self):
        return selectors.model_registry()
