from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm


class LimitChangeForm(StyledForm):
    amount = forms.DecimalField(label=_("New credit limit (CNY)"), max_digits=12, decimal_places=2, min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FourEyesDecisionForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)  # required to reject
