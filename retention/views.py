from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from core.pagination import CappedCountPaginator
from retention import policies, selectors, services
from retention.filtersets import RetentionAlertFilterSet
from retention.forms import AlertTransitionForm


class AlertListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """The alert queue: a manager's own alerts, a lead's team's, all for credit and admin."""

    permission_required = "retention.view_retentionalert"
    template_name = "retention/alert_list.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator

    def get_queryset(self):
        self.filterset = RetentionAlertFilterSet(self.request.GET or None,
                                                 queryset=selectors.alert_list(user=self.request.user))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs, filterset=self.filterset, querystring=query.urlencode(),
                                        champion=selectors.champion_model())


class AlertDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "retention.view_retentionalert"
    template_name = "retention/alert_detail.html"

    def _render(self, request, alert, form=None):
        allowed = policies.TRANSITIONS.get(alert.status, ())
        form = form or AlertTransitionForm(allowed=allowed)
        return render(request, self.template_name, {
            "alert": alert, "form": form if allowed else None,
            "can_change": request.user.has_perm("retention.change_retentionalert")})

    def get(self, request, pk):
        return self._render(request, selectors.alert_get(user=request.user, pk=pk))

    def post(self, request, pk):
        alert = selectors.alert_get(user=request.user, pk=pk)
        if not request.user.has_perm("retention.change_retentionalert"):
            messages.error(request, _("You may not change alerts."))
            return redirect("retention:alert", pk=alert.pk)
        form = AlertTransitionForm(request.POST, allowed=policies.TRANSITIONS.get(alert.status, ()))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.alert_transition(alert=alert, to_status=data["to_status"], by=request.user,
                                          note=data["note"], offer=data["offer"], offer_cost=data["offer_cost"],
                                          outcome=data["outcome"])
                messages.success(request, _("Alert updated."))
                return redirect("retention:alert", pk=alert.pk)
            except ValidationError as e:
                for field, errors in e.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
        return self._render(request, alert, form)


class EffectivenessReportView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Retention rate and cost per retained customer by offer, manager, region and month, in the user's scope."""

    permission_required = "retention.view_retentionalert"
    template_name = "retention/report.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        by_month = selectors.effectiveness(user=user, by="month")
        tables = [(_("By offer"), selectors.effectiveness(user=user, by="offer")),
                  (_("By account manager"), selectors.effectiveness(user=user, by="manager")),
                  (_("By region"), selectors.effectiveness(user=user, by="region")),
                  (_("By month closed"), by_month)]
        return super().get_context_data(**kwargs, tables=tables, by_month=by_month)


class ChurnModelsView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The churn model registry: versions, their protocol's figures, champion and challenger side by side (the
    nightly shadow comparison) and the champion's population stability (PSI) by month."""

    permission_required = "retention.view_retentionalert"
    template_name = "retention/models.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **selectors.model_registry())
