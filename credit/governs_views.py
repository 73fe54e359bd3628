"""Pages of issue 14: credit officers' blacklist (list, add, clear) and the SIM replacement action of the 360°
page. Thin: decisions are in credit.blacklist and credit.entitlements."""

from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.generic_views import ScopedListView, ServiceActionView, ServiceFormView
from credit import blacklist, entitlements
from credit.filtersets import BlacklistFilterSet
from credit.forms import (
    BlacklistAddForm, BlacklistClearForm, BlacklistEditForm, SimReplacementForm,
)
from customers.selectors import customer_get


class BlacklistListView(ScopedListView):
    """Open (or cleared) blacklist entries with what is owed and paid since; add and clear in place."""

    permission_required = blacklist.ADD_PERMISSION
    template_name = "credit/blacklist.html"
    selector = blacklist.blacklist_entries
    filterset_class = BlacklistFilterSet
    default_ordering = "-added"  # the selector's order: newest first
    columns = [(gettext_lazy("Added"), "added"), (gettext_lazy("Customer"), None), (gettext_lazy("Reason"), None),
               (gettext_lazy("Evidence"), None), (gettext_lazy("Amount owed"), "owed"),
               (gettext_lazy("Paid since"), "paid"), (gettext_lazy("Status"), None), ("", None)]

    def get_extra_context(self):
        return {"add_form": BlacklistAddForm(user=self.request.user), "clear_form": BlacklistClearForm()}


class BlacklistAddView(ServiceActionView):
    permission_required = blacklist.ADD_PERMISSION
    form_class = BlacklistAddForm
    success_url = reverse_lazy("credit:blacklist")
    success_message = gettext_lazy("Blacklisted; the customer's credit has ended.")

    def get_success_url(self, result=None):
        """Back where the form was (the customer's 360 page sends `next`), if that is a page of this site."""
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                                      require_https=self.request.is_secure()):
            return target
        return super().get_success_url(result)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}  # the customer: one in the user's scope

    def perform(self, form):
        data = form.cleaned_data
        blacklist.blacklist_entry_add(customer=data["customer"], reason=data["reason"], evidence=data["evidence"],
                                      amount_owed=data["amount_owed"], by=self.request.user)


def open_blacklist_entries(*, user):
    return blacklist.blacklist_list(status="open")


class BlacklistEditView(ServiceFormView):
    """Correct an open entry's evidence or amount owed, with a reason; ending it is clearing it (the list)."""

    permission_required = blacklist.CLEAR_PERMISSION
    template_name = "credit/blacklist_edit.html"
    selector = open_blacklist_entries
    form_class = BlacklistEditForm
    context_object_name = "entry"
    service, object_as = blacklist.blacklist_entry_update, "entry"
    success_url = reverse_lazy("credit:blacklist")
    success_message = gettext_lazy("Blacklist entry changed.")

    def get_initial(self):
        return {"evidence": self.object.evidence, "amount_owed": self.object.amount_owed}


class BlacklistClearView(ServiceActionView):
    permission_required = blacklist.CLEAR_PERMISSION
    object_selector = customer_get
    form_class = BlacklistClearForm
    success_url = reverse_lazy("credit:blacklist")
    success_message = gettext_lazy("Blacklist entry cleared.")
    service, object_as = blacklist.blacklist_entries_clear, "customer"


class SimReplacementView(ServiceActionView):
    """Record a SIM replacement from the 360° page; the fee the year's free quota leaves is shown."""

    permission_required = "customers.change_customer"
    object_selector = customer_get
    form_class = SimReplacementForm
    service, object_as = entitlements.sim_replacement_record, "customer"

    def get_success_message(self, done):
        return _("SIM replaced; fee %(fee)s CNY.") % {"fee": done.fee}

    def get_success_url(self, result=None):
        return reverse("customers:detail", kwargs={"pk": self.object.pk})
