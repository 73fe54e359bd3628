from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyFormField, StyledForm


class LimitChangeForm(StyledForm):
    amount = MoneyFormField(label=_("New credit limit (CNY)"), operation="credit_limit", minimum="0.00")
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FourEyesDecisionForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)  # required to reject
