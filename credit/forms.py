from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import LookupChoiceField, MoneyFormField, StyledForm
from credit.choices import Dimension, Feature
from credit.configuration import sms_template_check
from customers.models import Customer


class LimitChangeForm(StyledForm):
    amount = MoneyFormField(label=_("New credit limit (CNY)"), operation="credit_limit", minimum="0.00")
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FourEyesDecisionForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)  # required to reject


class CustomerPickForm(StyledForm):
    """A form whose `customer` is picked by name among the customers in the user's scope (the id posted is checked
    against that scope: one outside it is this field's error, like an unknown one)."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = (Customer.objects.visible_to(user) if user is not None
                                            else Customer.objects.none())


class BlacklistAddForm(CustomerPickForm):
    customer = LookupChoiceField(label=_("Customer"), lookup="lookup-customers")
    reason = forms.CharField(label=_("Reason"), max_length=200)
    evidence = forms.CharField(label=_("Evidence"), max_length=300, required=False,
                               help_text=_("e.g. the document or case number that shows it"))
    amount_owed = MoneyFormField(label=_("Amount owed (CNY)"), operation="payment", minimum="0.00")


class BlacklistEditForm(StyledForm):
    evidence = forms.CharField(label=_("Evidence"), max_length=300, required=False)
    amount_owed = MoneyFormField(label=_("Amount owed (CNY)"), operation="payment", minimum="0.00")
    reason = forms.CharField(label=_("Why (recorded with the change)"), max_length=100)


class BlacklistClearForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SimReplacementForm(StyledForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=[("outlet", _("Outlet")), ("hotline", _("Hotline")),
                                                             ("app", _("App"))])


# --- Configuration by credit officers (issue 18): scoring-model drafts, SMS templates, extended services --------

class PublishForm(StyledForm):
    reason = forms.CharField(label=_("Why (recorded with the decision)"), max_length=200)


class ScoringModelDraftForm(StyledForm):
    """A draft's name, notes and its five star cut-offs (rising with the star)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for star in range(5, 0, -1):
            self.fields[f"cutoff_{star}"] = forms.DecimalField(
                label=_("%(star)s★: minimum score") % {"star": star}, max_digits=8, decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}))

    def clean(self):
        data = super().clean()
        data["cutoffs"] = {s: data.pop(f"cutoff_{s}", None) for s in range(1, 6)}
        return data


class FactorAddForm(StyledForm):
    feature = forms.ChoiceField(label=_("Feature"), choices=Feature.choices)
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    weight = forms.DecimalField(label=_("Weight"), max_digits=5, decimal_places=2, initial=1)


class BinForm(StyledForm):
    lower = forms.DecimalField(label=_("from (inclusive)"), max_digits=12, decimal_places=2, required=False)
    upper = forms.DecimalField(label=_("to (exclusive)"), max_digits=12, decimal_places=2, required=False)
    category = forms.CharField(label=_("category"), max_length=30, required=False)
    points = forms.DecimalField(label=_("points"), max_digits=6, decimal_places=2)


class BaseBinFormSet(forms.BaseFormSet):
    """Every row may be left empty (it is ignored), the shown ones as well as the extra ones."""

    def _construct_form(self, i, **kwargs):
        return super()._construct_form(i, **{**kwargs, "empty_permitted": True, "use_required_attribute": False})


BinFormSet = forms.formset_factory(BinForm, formset=BaseBinFormSet, extra=2, can_delete=True)


class FactorForm(StyledForm):
    """A draft factor's dimension and weight, and its bins as rows (empty rows are ignored, ticked ones removed)."""

    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    weight = forms.DecimalField(label=_("Weight"), max_digits=5, decimal_places=2)

    def __init__(self, *args, bins=(), **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:  # a row is compared with nothing: an emptied row is ignored, not "changed"
            self.bins = BinFormSet(self.data, prefix="bins")
        else:
            self.bins = BinFormSet(prefix="bins", initial=[
                {"lower": b.lower, "upper": b.upper, "category": b.category, "points": b.points} for b in bins])

    def is_valid(self):
        return super().is_valid() and self.bins.is_valid()

    def clean(self):
        data = super().clean()
        if self.bins.is_valid():
            data["bins"] = [row for row in self.bins.cleaned_data
                            if row and not row.get("DELETE") and row.get("points") is not None]
        return data


class SmsTemplateForm(StyledForm):
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label=_("Active"), required=False)

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            sms_template_check(body)
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict.get("body", error.messages)) from error
        return body


class SmsPreviewForm(CustomerPickForm):
    """Which customer's values the preview uses (their name, star, limit)."""

    customer = LookupChoiceField(label=_("Sample customer"), lookup="lookup-customers", required=False)


class ExtendedPolicyForm(StyledForm):
    active = forms.BooleanField(label=_("Offered"), required=False,
                                help_text=_("Untick to end the service: requests are refused from then on."))
    min_star = forms.TypedChoiceField(label=_("Minimum star"), coerce=int,
                                      choices=[(s, f"{s}★") for s in range(1, 6)])
    max_amount = forms.DecimalField(label=_("Maximum per request (CNY)"), max_digits=12, decimal_places=2)
    max_amount_per_month = forms.DecimalField(label=_("Maximum per month (CNY)"), max_digits=12, decimal_places=2)
    max_count_per_month = forms.IntegerField(label=_("Requests per month"), min_value=0, max_value=999)
    max_persons_per_month = forms.IntegerField(label=_("Different receivers per month"), min_value=0, max_value=999)
    validity_days = forms.IntegerField(label=_("Validity (days; 0 = permanent)"), min_value=0, max_value=3650)
    effective_hours = forms.IntegerField(label=_("Takes effect after (hours)"), min_value=0, max_value=720)
    giver_floor = forms.DecimalField(label=_("Giver's floor (CNY)"), max_digits=12, decimal_places=2, min_value=0)
    channels = forms.CharField(label=_("Allowed channels"), max_length=100,
                               help_text=_("comma-separated, e.g. app,outlet"))
    reason = forms.CharField(label=_("Why (recorded with the change)"), max_length=100)
