"""Pages of issue 14: credit officers' blacklist (list, add, clear) and the SIM replacement action of the 360°
page. Thin: decisions are in credit.blacklist and credit.entitlements."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from credit import blacklist, entitlements
from credit.forms import BlacklistAddForm, BlacklistClearForm, BlacklistFilterForm, SimReplacementForm
from customers.models import Customer
from customers.selectors import customer_get


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class BlacklistListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Open (or cleared) blacklist entries with what is owed and paid since; add and clear in place."""

    permission_required = blacklist.ADD_PERMISSION

    def get(self, request):
        filters = BlacklistFilterForm(request.GET or None)
        wanted = filters.cleaned_data if filters.is_valid() else {}
        entries = blacklist.blacklist_list(status=wanted.get("status") or "open", query=wanted.get("q", ""))
        return render(request, "credit/blacklist.html", {
            "entries": entries[:200], "filters": filters or BlacklistFilterForm(), "add_form": BlacklistAddForm(),
            "clear_form": BlacklistClearForm()})


class BlacklistAddView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = blacklist.ADD_PERMISSION

    def post(self, request):
        form = BlacklistAddForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("credit:blacklist")
        customer = Customer.objects.visible_to(request.user).filter(pk=form.cleaned_data["customer"]).first()
        if customer is None:
            messages.error(request, _("No customer %(id)s in your scope.") % {"id": form.cleaned_data["customer"]})
            return redirect("credit:blacklist")
        try:
            blacklist.blacklist_entry_add(customer=customer, reason=form.cleaned_data["reason"],
                                          evidence=form.cleaned_data["evidence"],
                                          amount_owed=form.cleaned_data["amount_owed"], by=request.user)
            messages.success(request, _("Blacklisted; the customer's credit has ended."))
        except ValidationError as e:
            _errors(request, e)
        return redirect("credit:blacklist")


class BlacklistClearView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = blacklist.CLEAR_PERMISSION

    def post(self, request, pk):
        customer = customer_get(user=request.user, pk=pk)
        form = BlacklistClearForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("credit:blacklist")
        try:
            blacklist.blacklist_entries_clear(customer=customer, reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, _("Blacklist entry cleared."))
        except ValidationError as e:
            _errors(request, e)
        return redirect("credit:blacklist")


class SimReplacementView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Record a SIM replacement from the 360° page; the fee the year's free quota leaves is shown."""

    permission_required = "customers.change_customer"

    def post(self, request, pk):
        customer = customer_get(user=request.user, pk=pk)
        form = SimReplacementForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("customers:detail", pk=customer.pk)
        try:
            done = entitlements.sim_replacement_record(customer=customer, channel=form.cleaned_data["channel"],
                                                       by=request.user)
            messages.success(request, _("SIM replaced; fee %(fee)s CNY.") % {"fee": done.fee})
        except ValidationError as e:
            _errors(request, e)
        return redirect("customers:detail", pk=customer.pk)
