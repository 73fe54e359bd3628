from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import UserPassesTestMixin
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core import selectors
from core.filtersets import BatchRunFilterSet
from core.forms import StaffPasswordChangeForm
from core.generic_views import ScopedListView
from core.roles import is_service_account


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
