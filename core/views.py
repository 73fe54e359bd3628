from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from core import selectors, services
from core.filtersets import BatchRunFilterSet
from core.forms import StaffPasswordChangeForm
from core.generic_views import LookupView, ScopedListView, error_messages
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
    template_name = "core/batch_runs.html"
    selector = selectors.batch_run_list
    filterset_class = BatchRunFilterSet
    default_ordering = "-started"  # the model's order: newest first
    columns = [(_("Kind"), "kind"), (_("Period"), None), (_("Status"), None),
               (_("Progress"), None), (_("Rows"), "rows"), (_("Started"), "started"),
               (_("Finished"), "finished"), (_("Duration (s)"), None)]


class SavedFilterSaveView(LoginRequiredMixin, View):
    """Save the list's current filters under a name (the user's own; same name: replaced), then show the list
    with them. Any signed-in user may keep filters of a list; the list itself still checks its permission."""

    http_method_names = ["post"]

    def post(self, request):
        view, query = request.POST.get("view", ""), request.POST.get("query", "")
        try:
            back = services.list_url_resolve(view=view)
        except ValidationError as error:
            error_messages(request, error)
            return redirect("dashboard")
        try:
            saved = services.saved_filter_save(user=request.user, view=view, name=request.POST.get("name", ""),
                                               query=query)
        except ValidationError as error:
            error_messages(request, error)
            return redirect(f"{back}?{QueryDict(query).urlencode()}")
        messages.success(request, _("Filter saved."))
        return redirect(f"{back}?{saved.query}")


class SavedFilterDeleteView(LoginRequiredMixin, View):
    """Delete one of the user's own saved filters (404 for anyone else's), back to the list."""

    http_method_names = ["post"]

    def post(self, request, pk):
        saved = services.saved_filter_delete(user=request.user, pk=pk)
        if saved is None:
            raise Http404
        messages.success(request, _("Filter deleted."))
        query = request.POST.get("query", "")
        return redirect(f"{services.list_url_resolve(view=saved.view)}?{query}")


class StaffLookupView(LookupView):
    """Staff the user may pick, by display name or login name (core.selectors.staff_pickable): any signed-in
    member of staff; a role without colleagues in scope finds only itself or nobody."""

    permission_required = ()
    lookup = selectors.staff_lookup
    keys = ("username",)
