from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from arrears.value import latest_values
from core.exports import csv_response
from core.masking import mask_id_number
from core.pagination import CappedCountPaginator
from customers import selectors
from customers.filtersets import CustomerFilterSet
from customers.forms import OnboardingForm
from customers.models import OnboardingCallback

EXPORT_COLUMNS = ["id", "name", "id_number", "region", "brand", "status", "credit_star", "credit_limit",
                  "join_date", "avg_monthly_spend"]


class CustomerListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "customers.view_customer"
    template_name = "customers/customer_list.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator

    def get_queryset(self):
        self.filterset = CustomerFilterSet(self.request.GET or None,
                                           queryset=selectors.customer_list(user=self.request.user))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        context = super().get_context_data(**kwargs, filterset=self.filterset, querystring=query.urlencode())
        page = context["object_list"]  # one query for the page's latest values, set on the cached rows
        values = latest_values(customer_ids=[c.pk for c in page])
        for c in page:
            c.current_value = values.get(c.pk)
        return context


class CustomerExportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """CSV of the filtered list, in scope, ID numbers masked. Streams so a province export stays flat in memory."""

    permission_required = "customers.export_customers"

    def get(self, request):
        qs = selectors.customer_list(user=request.user, filters=request.GET).select_related(None).values_list(
            "id", "name", "id_number", "region__name", "brand__name", "status", "credit_star", "credit_limit",
            "join_date", "avg_monthly_spend",
        )
        rows = ((pk, name, mask_id_number(id_number), *rest)
                for pk, name, id_number, *rest in qs.iterator(chunk_size=5000))
        return csv_response("customers.csv", EXPORT_COLUMNS, rows)


class OnboardingView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "customers.add_customer"
    template_name = "customers/onboard.html"
    form_class = OnboardingForm

    def form_valid(self, form):
        customer = form.save(by=self.request.user)
        if customer is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Customer %(name)s onboarded; identity callback due in 3 days.")
                         % {"name": customer.name})
        return redirect("customers:detail", pk=customer.pk)


class CallbackListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "customers.add_customer"
    template_name = "customers/callbacks.html"
    paginate_by = 50

    def get_queryset(self):
        return OnboardingCallback.objects.filter(assigned_to=self.request.user).select_related("customer").order_by(
            "status", "due_on"
        )
