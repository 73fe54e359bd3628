from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.generic_views import CsvExport, CsvExportView, LookupView, ScopedListView, ServiceFormView
from core.masking import mask_id_number
from customers import selectors, services
from customers.filtersets import CallbackFilterSet
from customers.forms import OnboardingForm

EXPORT_COLUMNS = ["id", "name", "id_number", "region", "brand", "status", "credit_star", "credit_limit",
                  "join_date", "avg_monthly_spend"]
CUSTOMER_EXPORT = CsvExport(filename="customers.csv", header=EXPORT_COLUMNS, masked={"id_number": mask_id_number},
                            fields=["id", "name", "id_number", "region__name", "brand__name", "status", "credit_star",
                                    "credit_limit", "join_date", "avg_monthly_spend"])


class CustomerExportView(CsvExportView):
    """CSV of the filtered list, in scope, ID numbers masked. Streams so a province export stays flat in memory."""

    permission_required = "customers.export_customers"
    selector = selectors.customer_list
    export = CUSTOMER_EXPORT

    def selector_kwargs(self):
        return {"filters": self.request.GET}


class OnboardingView(ServiceFormView):
    permission_required = "customers.add_customer"
    template_name = "customers/onboard.html"
    form_class = OnboardingForm
    renamed_errors = {"related_contacts": "contact_msisdn"}

    def perform(self, form):
        return services.customer_onboard(data=form.onboarding_data(), by=self.request.user)

    def get_success_message(self, customer):
        return _("Customer %(name)s onboarded; identity callback due in 3 days.") % {"name": customer.name}

    def get_success_url(self, customer=None):
        return reverse("customers:detail", kwargs={"pk": customer.pk})


class CallbackListView(ScopedListView):
    permission_required = "customers.add_customer"
    template_name = "customers/callbacks.html"
    selector = selectors.callbacks_assigned
    filterset_class = CallbackFilterSet
    columns = [(gettext_lazy("Customer"), None), (gettext_lazy("Due on"), "due"), (gettext_lazy("Status"), "status"),
               (gettext_lazy("Outcome"), None)]


class CustomerLookupView(LookupView):
    """Customers in the user's scope by name, mobile number, ID tail or customer number (a name picker)."""

    permission_required = "customers.view_customer"
    lookup = selectors.customer_lookup
