"""The 360 page's action forms: each names one of the customer's lines and the service's own fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, MoneyFormField, StyledForm

# arrears.api.actions' outer bound: the barring policy's exemption_max_days is checked by the service
EXEMPTION_DAYS = 366
EMERGENCY_CHANNELS = [("counter", _("Counter")), ("hotline", _("Hotline")), ("app", _("App")),
                      ("sms", _("SMS")), ("account_manager", _("Account manager"))]


class LineForm(StyledForm):
    """A form on one of `lines` (the customer's, already in the user's scope)."""

    line = forms.TypedChoiceField(label=_("Mobile number"), coerce=int)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {line.pk: line for line in lines}
        self.fields["line"].choices = [(line.pk, line.msisdn) for line in lines]

    def clean_line(self):
        return self.lines[self.cleaned_data["line"]]


class ExemptionForm(LineForm):
    valid_until = BoundedDateField(label=_("Exempt until"), past_days=0, future_days=EXEMPTION_DAYS)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class WaiverForm(LineForm):
    amount = MoneyFormField(label=_("Late fees to waive (CNY)"), operation="payment")
    reason = forms.CharField(label=_("Reason"), max_length=200)


class EmergencyForm(LineForm):
    channel = forms.ChoiceField(label=_("Asked through"), choices=EMERGENCY_CHANNELS, initial="account_manager")
