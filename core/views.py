from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.cache import cache
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core import audit, selectors
from core.filtersets import BatchRunFilterSet
from core.generic_views import ScopedListView
from core.choices import Role
from core.forms import AuditFilterForm, StaffPasswordChangeForm
from core.roles import is_service_account, user_role
from customers.models import PersonalDataAccess
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
        return super().get_context_data(**kwargs, **figures, notifications=self._notifications(user),
                                        four_eyes_pending=self._four_eyes_pending(user))

    @staticmethod
    def _four_eyes_pending(user) -> int | None:
        """How many four-eyes requests wait for the user's decision (credit officers); None for others."""
        if not user.has_perm("credit.view_foureyesrequest"):
            return None
        from credit.selectors import four_eyes_pending_count

        return four_eyes_pending_count(user=user)

    @staticmethod
    def _notifications(user) -> list:
        """The latest campaign notifications addressed to the user (a review is waiting, a decision came)."""
        if not user.has_perm("marketing.view_campaign"):
            return []
        from marketing.selectors import notifications_for  # the dashboard shows what the apps address to people

        return notifications_for(user=user, limit=5)


PASSWORD_CHANGED = _("Your password was changed.")


class PasswordChangeView(UserPassesTestMixin, auth_views.PasswordChangeView):
    """Staff change their own password (the top bar's user menu); the session stays signed in. Service accounts
    have no password to change: they use their token (and never hold a session to get here)."""

    template_name = "registration/password_change_form.html"
    form_class = StaffPasswordChangeForm
    success_url = reverse_lazy("dashboard")

    def test_func(self):
        return not is_service_account(self.request.user)

    def form_valid(self, form):
        messages.success(self.request, PASSWORD_CHANGED)
        return super().form_valid(form)


class BatchRunListView(ScopedListView):
    permission_required = "core.view_batchrun"
    template_name = "core/batch_runs.html"
    selector = selectors.batch_run_list
    filterset_class = BatchRunFilterSet


class AuditView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """Admins: every recorded change (who, when, what) and every view of unmasked personal data."""

    template_name = "core/audit.html"

    def test_func(self):
        return user_role(self.request.user) == Role.ADMIN

    def get_context_data(self, **kwargs):
        form = AuditFilterForm(self.request.GET or None, models=audit.record_types())
        changes, accesses = [], PersonalDataAccess.objects.none()
        if not form.is_bound or form.is_valid():
            f = audit_filter(form.cleaned_data if form.is_bound else {})
            changes = audit.change_list(f)
            accesses = personal_data_accesses(f)
        return super().get_context_data(**kwargs, form=form, changes=changes, accesses=accesses)


def audit_filter(data: dict) -> audit.AuditFilter:
    from datetime import datetime, time, timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    def day_start(d):
        return timezone.make_aware(datetime.combine(d, time.min)) if d else None

    user_id = None
    if data.get("username"):
        user_id = get_user_model().objects.filter(username=data["username"]).values_list("pk", flat=True).first() or -1
    return audit.AuditFilter(model=data.get("model") or "", user_id=user_id, object_id=data.get("object_id") or "",
                             since=day_start(data.get("since")),
                             until=day_start(data["until"] + timedelta(days=1)) if data.get("until") else None)


def personal_data_accesses(f: audit.AuditFilter, limit: int = 200):
    qs = PersonalDataAccess.objects.select_related("user", "customer")
    if f.user_id:
        qs = qs.filter(user_id=f.user_id)
    if f.since:
        qs = qs.filter(accessed_at__gte=f.since)
    if f.until:
        qs = qs.filter(accessed_at__lt=f.until)
    return qs[:limit]
