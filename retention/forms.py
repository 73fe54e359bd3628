from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyFormField, StyledForm
from retention.choices import AlertStatus, Offer


class AlertTransitionForm(StyledForm):
    to_status = forms.ChoiceField(label=_("Move to"), choices=AlertStatus.choices)
    offer = forms.ChoiceField(label=_("Offer made"), choices=[("", "—")] + Offer.choices, required=False)
    offer_cost = MoneyFormField(label=_("Offer cost (CNY)"), required=False, operation="retention_offer",
                                minimum="0.00")
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        if allowed:
            self.fields["to_status"].choices = [(v, label) for v, label in AlertStatus.choices if v in allowed]
