from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyFormField, StyledForm, StyledFormMixin
from core.models import Region
from customers.choices import LifecycleStage, ServiceStatus
from customers.filtersets import STAR_CHOICES
from customers.models import Brand
from marketing import policies
from marketing.choices import CampaignStatus, OpinionVerdict, RiskControl
from customers.choices import MemberHow
from marketing.models import Campaign
from marketing.services import EDITABLE_FIELDS

# The segment part of the form: the same names as the segment rules (and the customer filterset).
SEGMENT_FIELDS = ["region", "brand", "star", "status", "lifecycle_stage", "tenure_min", "tenure_max", "spend_min",
                  "spend_max", "saturation_min", "saturation_max", "enterprise_member", "value_decile_min",
                  "value_decile_max", "negative_value"]
BOOL_CHOICES = [("", _("Either")), ("true", _("Members only")), ("false", _("Not members"))]
NEGATIVE_CHOICES = [("", _("Either")), ("true", _("Negative value only")), ("false", _("No negative value"))]
BOOL_FIELDS = ("enterprise_member", "negative_value")


def _multi(choices, label):
    return forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.SelectMultiple(attrs={"size": 4, "data-segment": "1"}))


def _number(label, decimal=False):
    field = forms.DecimalField if decimal else forms.IntegerField
    return field(label=label, required=False, min_value=0, widget=forms.NumberInput(attrs={"data-segment": "1"}))


class SegmentFormMixin(forms.Form):
    region = forms.ModelMultipleChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False,
                                            widget=forms.SelectMultiple(attrs={"size": 4, "data-segment": "1"}))
    brand = forms.ModelMultipleChoiceField(label=_("Brand"), queryset=Brand.objects.all(), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 3, "data-segment": "1"}))
    star = _multi(STAR_CHOICES, _("Credit star"))
    status = _multi(ServiceStatus.choices, _("Status"))
    lifecycle_stage = _multi(LifecycleStage.choices, _("Lifecycle stage"))
    tenure_min = _number(_("Tenure at least (months)"))
    tenure_max = _number(_("Tenure at most (months)"))
    spend_min = _number(_("Spend at least (CNY/month)"), decimal=True)
    spend_max = _number(_("Spend at most (CNY/month)"), decimal=True)
    saturation_min = _number(_("Plan saturation at least (%, last 3 months)"), decimal=True)
    saturation_max = _number(_("Plan saturation at most (%, last 3 months)"), decimal=True)
    enterprise_member = forms.ChoiceField(label=_("Enterprise membership"), choices=BOOL_CHOICES, required=False,
                                          widget=forms.Select(attrs={"data-segment": "1"}))
    # the top N deciles (at most N), the bottom ones (at least N), negative value (source 000: 定位负价值客户)
    value_decile_min = forms.IntegerField(
        label=_("Value decile at least (1 = the top 10 % of the customer's brand)"), required=False, min_value=1,
        max_value=10, widget=forms.NumberInput(attrs={"data-segment": "1"}))
    value_decile_max = forms.IntegerField(
        label=_("Value decile at most (1 = the top 10 % of the customer's brand)"), required=False, min_value=1,
        max_value=10, widget=forms.NumberInput(attrs={"data-segment": "1"}))
    negative_value = forms.ChoiceField(label=_("Negative value"), choices=NEGATIVE_CHOICES, required=False,
                                       widget=forms.Select(attrs={"data-segment": "1"}))

    def segment_rules(self) -> dict:
        data = self.cleaned_data
        rules = {}
        for name in SEGMENT_FIELDS:
            value = data.get(name)
            if value in (None, "", []) or hasattr(value, "exists") and not value.exists():
                continue
            if name in ("region", "brand"):
                value = [obj.pk for obj in value]
            elif name in BOOL_FIELDS:
                value = value == "true"
            elif hasattr(value, "as_tuple"):
                value = str(value)
            rules[name] = value
        return rules


def _money(name: str, required=True):
    """The campaign's amount `name` as a bounded money field, prefilled with the model's default (0.00) as the
    model form did before: a new campaign need not type a zero into every amount."""
    field = Campaign._meta.get_field(name)
    return MoneyFormField(label=field.verbose_name, operation="campaign", minimum="0.00", required=required,
                          initial=field.default if field.has_default() else None)


class CampaignForm(StyledFormMixin, SegmentFormMixin, forms.ModelForm):
    monthly_revenue = _money("monthly_revenue")
    monthly_cost = _money("monthly_cost")
    incentive_per_customer = _money("incentive_per_customer")
    deposit = _money("deposit")
    limit_cap = _money("limit_cap", required=False)
    usage_cap = _money("usage_cap", required=False)

    class Meta:
        model = Campaign
        fields = [f for f in EDITABLE_FIELDS if f != "segment"]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in (
            "goal", "packages", "revenue_notes", "promotion", "risk_notes")}
        widgets["min_star"] = forms.Select(attrs={"data-segment": "1"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            segment = self.instance.segment or {}
            for name in SEGMENT_FIELDS:
                if name in segment:
                    value = segment[name]
                    self.initial[name] = ("true" if value else "false") if name in BOOL_FIELDS else value

    def clean(self):
        data = super().clean()
        _clean, errors = policies.clean_segment(self.segment_rules()) if not self.errors else ({}, {})
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        return data

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["segment"] = self.segment_rules()
        return fields


class SegmentCountForm(StyledForm, SegmentFormMixin):
    min_star = forms.TypedChoiceField(label=_("Minimum star"), coerce=int, empty_value=None, required=False,
                                      choices=[("", "—")] + [(str(s), str(s)) for s in range(6)])


class TransitionForm(StyledForm):
    to_status = forms.ChoiceField(label=_("Move to"), choices=CampaignStatus.choices)
    reason = forms.CharField(label=_("Reason / comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             max_length=2000)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        if allowed:
            self.fields["to_status"].choices = [(v, label) for v, label in CampaignStatus.choices if v in allowed]


class OpinionForm(StyledForm):
    """One verdict and comment per risk control; controls left without a verdict are not recorded."""

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        for value, label in RiskControl.choices:
            self.fields[f"verdict_{value}"] = forms.ChoiceField(
                label=label, required=False, choices=[("", "—")] + OpinionVerdict.choices,
                initial=current.get(value, ("", ""))[0])
            self.fields[f"comment_{value}"] = forms.CharField(
                label=_("Comment"), required=False, max_length=1000, initial=current.get(value, ("", ""))[1])
        for name, field in self.fields.items():  # added after StyledForm styled the (then empty) form
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if name.startswith("verdict_")
                                          else "form-control form-control-sm")

    def opinions(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {value: (data[f"verdict_{value}"], data[f"comment_{value}"].strip())
                for value, _label in RiskControl.choices if data.get(f"verdict_{value}")}

    def rows(self):
        for value, label in RiskControl.choices:
            yield label, self[f"verdict_{value}"], self[f"comment_{value}"]


class AnswerForm(StyledForm):
    """The author's answer to each "must change" opinion of the round that returned the campaign."""

    def __init__(self, *args, opinions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.opinions = list(opinions)
        for opinion in self.opinions:
            self.fields[f"answer_{opinion.pk}"] = forms.CharField(
                label=opinion.get_control_display(), required=False, max_length=2000, initial=opinion.answer,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
                help_text=_("What you changed, or why not"))

    def answers(self) -> dict[int, str]:
        return {o.pk: self.cleaned_data.get(f"answer_{o.pk}", "") for o in self.opinions}

    def rows(self):
        for opinion in self.opinions:
            yield opinion, self[f"answer_{opinion.pk}"]


class MemberTagForm(StyledForm):
    """Staff tag a customer who took the offer (the API does the same for billing)."""

    msisdn = forms.RegexField(label=_("Mobile number"), regex=r"^1\d{10}$")
    how = forms.ChoiceField(label=_("How"), choices=[(MemberHow.ACQUIRED.value, MemberHow.ACQUIRED.label),
                                                     (MemberHow.CONVERTED.value, MemberHow.CONVERTED.label)])
    override_reason = forms.CharField(label=_("Override reason (outside the segment)"), max_length=200,
                                      required=False,
                                      help_text=_("credit officers only: why a customer outside the segment is "
                                                  "tagged"))
