from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.choices import CollectionStatus
from core.forms import BoundedDateField, MoneyFormField, StyledForm

PROMISE_NEEDS = _("A promise to pay needs a date (today or later) and an amount.")
PROMISE_WITHIN_DAYS = 90  # collections agree on a payment within three months


class CollectionForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=CollectionStatus.choices)
    promised_on = BoundedDateField(label=_("Promised payment date"), required=False,
                                   future_days=PROMISE_WITHIN_DAYS)
    promised_amount = MoneyFormField(label=_("Promised amount"), required=False, operation="promise")
    outcome = forms.CharField(label=_("Outcome / notes"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("status") == CollectionStatus.PROMISED:
            day, amount = data.get("promised_on"), data.get("promised_amount")
            if not day or not amount or day < timezone.localdate():
                self.add_error("promised_on", PROMISE_NEEDS)
        return data


class SpSettlementForm(StyledForm):
    """The settlement month and the smallest line arrears that counts (smaller ones are left out)."""

    period = forms.DateField(label=_("Month"), input_formats=["%Y-%m"],
                             widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    min_amount = MoneyFormField(label=_("Leave out lines owing less than (CNY)"), operation="bill",
                                minimum="0.00")
