from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyFormField, StyledForm


class LimitChangeForm(StyledForm):
    amount = MoneyFormField(label=_("New credit limit (CNY)"), operation="credit_limit", minimum="0.00")
    reason = forms.CharField(label=_("Reason"), max_length=300)
    approver = forms.ModelChoiceField(label=_("Second approver (outside the star's range)"), required=False,
                                      queryset=get_user_model().objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver"].queryset = (
            get_user_model().objects.filter(groups__name="credit_officer").exclude(pk=getattr(user, "pk", None))
        )
