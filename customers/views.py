from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from arrears.value import latest_values
from core.exports import csv_response
from core.masking import mask_address, mask_id_number
from core.pagination import CappedCountPaginator
from credit.forms import LimitChangeForm
from credit.selectors import customer_credit
from customers import selectors, services
from customers.choices import AccessChannel
from customers.filtersets import CustomerFilterSet
from customers.forms import OnboardingForm, RevealForm
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


class CustomerDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The 360° view. POST reveals the unmasked personal data once, for a stated purpose, and logs it."""

    permission_required = "customers.view_customer"
    template_name = "customers/customer_detail.html"

    def get(self, request, pk, revealed=None, reveal_form=None):
        context = selectors.customer_360(user=request.user, pk=pk)
        customer = context["customer"]
        context["revealed"] = revealed
        context["reveal_form"] = reveal_form or RevealForm()
        context["masked_id_number"] = mask_id_number(customer.id_number)
        context["masked_address"] = mask_address(customer.address)
        context["credit"] = customer_credit(customer=customer)
        if request.user.has_perm("credit.add_rating"):
            context["limit_form"] = LimitChangeForm()
        return render(request, self.template_name, context)

    def post(self, request, pk):
        customer = selectors.customer_get(user=request.user, pk=pk)
        if not request.user.has_perm("customers.view_personal_data"):
            raise PermissionDenied(str(services.ERR_NO_PERMISSION))
        form = RevealForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, reveal_form=form)
        try:
            revealed = services.personal_data_reveal(user=request.user, customer=customer,
                                                     channel=AccessChannel.PAGE,
                                                     ip_address=request.META.get("REMOTE_ADDR"), **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
            return self.get(request, pk, reveal_form=form)
        return self.get(request, pk, revealed=revealed)


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
