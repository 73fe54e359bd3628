"""Pages that compose several apps: the dashboard, the audit page and the customer 360."""

from datetime import datetime, time, timedelta

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin, UserPassesTestMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django.utils.translation import gettext_lazy

from arrears.value import latest_values
from core import audit, selectors as core_selectors
from core.choices import Role
from core.forms import AuditFilterForm
from core.generic_views import ScopedListView
from core.masking import mask_address, mask_id_number
from core.roles import user_role
from credit.blacklist import ADD_PERMISSION as BLACKLIST_PERMISSION
from credit.forms import BlacklistAddForm, LimitChangeForm
from credit.selectors import four_eyes_pending_count
from customers import selectors as customer_selectors, services as customer_services
from customers.choices import AccessChannel
from customers.filtersets import CustomerFilterSet
from customers.forms import RevealForm
from customers.models import PersonalDataAccess
from retention.forms import AlertTransitionForm
from workspace import actions, selectors as workspace_selectors
from workspace.forms import EmergencyForm, ExemptionForm, WaiverForm


class CustomerListView(ScopedListView):
    """The customer list (customers:list): customers' own columns and filters, and the current value the value
    batch (arrears, a layer above customers) keeps, composed here."""

    template_name = "customers/customer_list.html"
    selector = customer_selectors.customer_list
    filterset_class = CustomerFilterSet
    columns = [(gettext_lazy("Name"), "name"), (gettext_lazy("ID number"), None), (gettext_lazy("Region"), None),
               (gettext_lazy("Brand"), None), (gettext_lazy("Credit star"), "star"),
               (gettext_lazy("Credit limit"), None), (gettext_lazy("Status"), None),
               (gettext_lazy("Join date"), "join_date"), (gettext_lazy("Avg. monthly spend"), "spend", "end"),
               (gettext_lazy("Current value"), "value", "end"), (gettext_lazy("Account manager"), None)]

    def decorate_page(self, objects):
        values = latest_values(customer_ids=[c.pk for c in objects])
        for c in objects:
            c.current_value = values.get(c.pk)


class DashboardView(LoginRequiredMixin, TemplateView):
    """Home: the day's work of the user's role (workspace.selectors.home), then the book's figures."""

    template_name = "workspace/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # The province's and a region's figures are last night's facts; a book's are counted live, cached per
        # user for 10 minutes.
        key = f"dashboard:{user_role(user)}:{user.pk}"
        figures = cache.get(key)
        if figures is None:
            figures = workspace_selectors.home_figures(user=user)
            cache.set(key, figures, 600)
        return super().get_context_data(**kwargs, **figures, **workspace_selectors.home(user=user),
                                        four_eyes_pending=self._four_eyes_pending(user))

    @staticmethod
    def _four_eyes_pending(user) -> int | None:
        """How many four-eyes requests wait for the user's decision (credit officers); None for others."""
        if not user.has_perm("credit.view_foureyesrequest"):
            return None
        return four_eyes_pending_count(user=user)


class CustomerDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The 360° view. POST reveals the unmasked personal data once, for a stated purpose, and logs it."""

    permission_required = "customers.view_customer"
    template_name = "workspace/customer_detail.html"

    def get(self, request, pk, revealed=None, reveal_form=None):
        context = workspace_selectors.customer_360(user=request.user, pk=pk)
        customer = context["customer"]
        context["revealed"] = revealed
        context["reveal_form"] = reveal_form or RevealForm()
        context["masked_id_number"] = mask_id_number(customer.id_number)
        context["masked_address"] = mask_address(customer.address)
        if request.user.has_perm("credit.add_rating"):
            context["limit_form"] = LimitChangeForm()
        context["actions"] = self.actions(request.user, context)
        return render(request, self.template_name, context)

    @staticmethod
    def actions(user, context) -> dict:
        """The action forms the user's role may use on this customer, each checked by the same permission as
        the service's other doors (a form absent here is refused there too)."""
        lines = [line for line in context["lines"] if line.closed_on is None] or context["lines"]
        found = {}
        if lines and user.has_perm(actions.EXEMPTION_PERMISSION):
            found["exemption"] = ExemptionForm(lines=lines, auto_id="exemption_%s")
        if lines and user.has_perm(actions.WAIVER_PERMISSION):
            found["waiver"] = WaiverForm(lines=lines, auto_id="waiver_%s")
        if lines and user.has_perm(actions.EMERGENCY_PERMISSION):
            found["emergency"] = EmergencyForm(lines=lines, auto_id="emergency_%s")
        if user.has_perm(BLACKLIST_PERMISSION):
            found["blacklist"] = BlacklistAddForm(initial={"customer": context["customer"].pk},
                                                  auto_id="blacklist_%s")
        if user.has_perm("arrears.change_collectioncase"):
            found["promise"] = [a for a in context["accounts"] if a.arrears_since]
        alert = context["open_alert"]
        if alert is not None and user.has_perm(actions.ALERT_PERMISSION):
            found["alert"] = AlertTransitionForm(allowed=alert.allowed, auto_id="alert_%s")
        return found

    def post(self, request, pk):
        customer = customer_selectors.customer_get(user=request.user, pk=pk)
        if not request.user.has_perm("customers.view_personal_data"):
            raise PermissionDenied(str(customer_services.ERR_NO_PERMISSION))
        form = RevealForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, reveal_form=form)
        try:
            revealed = customer_services.personal_data_reveal(user=request.user, customer=customer,
                                                     channel=AccessChannel.PAGE,
                                                     ip_address=request.META.get("REMOTE_ADDR"), **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
            return self.get(request, pk, reveal_form=form)
        return self.get(request, pk, revealed=revealed)


class AuditView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """Admins: every recorded change (who, when, what) and every view of unmasked personal data."""

    template_name = "workspace/audit.html"

    def test_func(self):
        return user_role(self.request.user) == Role.ADMIN

    def get_context_data(self, **kwargs):
        form = AuditFilterForm(self.request.GET or None, models=audit.record_types(),
                               users=core_selectors.staff_pickable(user=self.request.user))
        changes, accesses = [], PersonalDataAccess.objects.none()
        if not form.is_bound or form.is_valid():
            f = audit_filter(form.cleaned_data if form.is_bound else {})
            changes = audit.change_list(f)
            accesses = personal_data_accesses(f)
        return super().get_context_data(**kwargs, form=form, changes=changes, accesses=accesses)


def audit_filter(data: dict) -> audit.AuditFilter:
    def day_start(d):
        return timezone.make_aware(datetime.combine(d, time.min)) if d else None

    user_id = data["username"].pk if data.get("username") else None  # a user picked by name (the form checked it)
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
