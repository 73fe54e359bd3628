"""The customer 360's actions in place: each a POST on the arrears or retention service, with the service's own
permission, answered by a redirect back to the 360 page (messages say what happened or why not)."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from arrears import services as arrears_services
from core.generic_views import ServiceActionView
from customers.models import Line
from customers.selectors import customer_get
from retention import policies as retention_policies, services as retention_services
from retention.forms import AlertTransitionForm
from retention.selectors import alert_get
from workspace.forms import EmergencyForm, ExemptionForm, WaiverForm

# The permissions the services' other doors check (arrears.api.actions, retention.views): one rule per action.
EXEMPTION_PERMISSION = "arrears.add_exemption"
WAIVER_PERMISSION = "arrears.change_lineaccount"
EMERGENCY_PERMISSION = "arrears.add_emergencypass"
ALERT_PERMISSION = "retention.change_retentionalert"


class CustomerLineActionView(ServiceActionView):
    """An action on one line of a customer in the user's scope (404 outside it)."""

    object_selector = customer_get

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "lines": list(Line.objects.filter(customer=self.object))}

    def get_success_url(self, result=None):
        return reverse("customers:detail", kwargs={"pk": self.object.pk}) + "#account"


class ExemptionView(CustomerLineActionView):
    permission_required = EXEMPTION_PERMISSION
    form_class = ExemptionForm
    success_message = _("Exempt from barring; the customer is still reminded.")
    service, arguments = arrears_services.line_exempt, {"valid_until": "until"}


class WaiverView(CustomerLineActionView):
    permission_required = WAIVER_PERMISSION
    form_class = WaiverForm
    success_message = _("Late fees waived.")
    service = arrears_services.late_fees_waive


class EmergencyView(CustomerLineActionView):
    permission_required = EMERGENCY_PERMISSION
    form_class = EmergencyForm
    success_message = _("Emergency continuity granted.")

    def perform(self, form):
        try:
            return arrears_services.emergency_pass_grant(line=form.cleaned_data["line"],
                                                         channel=form.cleaned_data["channel"], by=self.request.user)
        except arrears_services.EmergencyRefused as refused:
            raise ValidationError(str(refused), code=refused.rule) from refused


class AlertStepView(ServiceActionView):
    """A step on a retention alert (contacted, offer made, retained…) from the 360 page; back to the page."""

    permission_required = ALERT_PERMISSION
    object_selector = alert_get
    form_class = AlertTransitionForm
    success_message = _("Alert updated.")
    service, object_as = retention_services.alert_transition, "alert"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "allowed": retention_policies.TRANSITIONS.get(self.object.status, ())}

    def get_success_url(self, result=None):
        return reverse("customers:detail", kwargs={"pk": self.object.customer_id}) + "#churn"
