from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.generic_views import ObjectFormView, PageView, ScopedListView, ServiceActionView
from credit.choices import FourEyesKind
from credit.forms import PublishForm
from credit.selectors import latest_request
from retention import policies, publication, selectors, services
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
        registry = selectors.model_registry()
        challenger = next((v for v in registry["versions"] if v.challenger), None)
        registry["challenger"] = challenger  # its publication: asked for here, decided by a second officer
        registry["publication"] = (latest_request(kind=FourEyesKind.CHURN_MODEL_PUBLISH, subject=challenger)
                                   if challenger else None)
        registry["publish_form"] = PublishForm(auto_id="publish_%s")
        return registry


def learned_models(*, user):
    """The stored churn model versions (the province's: no customer scope), without their fitted blobs."""
    return selectors.learned_model_list()


class ChurnModelPublishView(ServiceActionView):
    """Asking for a churn model version's publication (four eyes): a different officer approves it on the models
    page or the four-eyes list; only then it becomes the champion. Who, when, why, the version: /audit/."""

    permission_required = publication.PERMISSION
    selector = learned_models
    form_class = PublishForm
    service, object_as = publication.churn_model_publish_request, "model"
    success_url = reverse_lazy("retention:models")

    def get_success_message(self, result):
        return _("Publication of version %(v)s requested (#%(id)s): it waits for a second credit officer.") % {
            "v": self.object.version, "id": result.pk}
