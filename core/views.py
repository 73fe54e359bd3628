from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.views.generic import ListView, TemplateView

from core.models import BatchRun
from core.roles import user_role
from customers.selectors import dashboard_figures


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # Province-wide figures cost a scan of the usage table: cache per scope for 10 minutes.
        key = f"dashboard:{user_role(user)}:{user.pk}"
        figures = cache.get(key)
        if figures is None:
            figures = dashboard_figures(user=user)
            cache.set(key, figures, 600)
        return super().get_context_data(**kwargs, **figures)


class BatchRunListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "core.view_batchrun"
    template_name = "core/batch_runs.html"
    paginate_by = 50

    def get_queryset(self):
        return BatchRun.objects.all()
