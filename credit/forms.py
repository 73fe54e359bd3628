from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyFormField, StyledForm


class LimitChangeForm(StyledForm):
    amount = MoneyFormField(label=_("New credit limit (CNY)"), operation="credit_limit", minimum="0.00")
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FourEyesDecisionForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)  # required to reject


class BlacklistAddForm(StyledForm):
    customer = forms.IntegerField(label=_("Customer id"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    evidence = forms.CharField(label=_("Evidence"), max_length=300, required=False,
                               help_text=_("e.g. the document or case number that shows it"))
    amount_owed = MoneyFormField(label=_("Amount owed (CNY)"), operation="payment", minimum="0.00")


class BlacklistClearForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class BlacklistFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("open", _("Open")), ("cleared", _("Cleared")), ("all", _("All"))])
    q = forms.CharField(label=_("ID number or customer id"), required=False, max_length=32)


class SimReplacementForm(StyledForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=[("outlet", _("Outlet")), ("hotline", _("Hotline")),
                                                             ("app", _("App"))])
