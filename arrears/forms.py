from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.choices import CollectionStatus
from core.forms import BoundedDateField, MoneyFormField, StyledForm

CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
# The state machine's rules (arrears.policies.TRANSITIONS), as a credit officer reads them.
BARRING_RULE_CHOICES = [
    ("paid_back", _("Paid back: a barred line with usable credit ≥ 0 is restored")),
    ("retention_expired", _("Retention period over: the number is closed")),
    ("arrears_30_days", _("Days in arrears reached: two-way barring")),
    ("usable_below_zero", _("Usable credit below 0: one-way barring")),
    ("low_credit", _("Usable credit below the reminder threshold: reminder")),
    ("credit_recovered", _("Usable credit back above the threshold: reminder lifted")),
]
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


class BarringPolicyForm(StyledForm):
    """A draft barring policy version's settings (arrears.policies.BarringPolicy)."""

    reminder_ratio = forms.DecimalField(label=_("Reminder when usable credit is below this share of the limit"),
                                        max_digits=4, decimal_places=2, help_text=_("0.20 = 20 %"))
    reminder_minimum = forms.DecimalField(label=_("…but at least (CNY)"), max_digits=8, decimal_places=2)
    two_way_after_days = forms.IntegerField(label=_("Two-way barring after days in arrears"))
    late_fee_rate = forms.DecimalField(label=_("Late fee per day (share of the overdue amount)"), max_digits=6,
                                       decimal_places=4, help_text=_("0.0030 = 0.3 % a day"))
    late_fee_waived_stars = forms.TypedMultipleChoiceField(
        label=_("Stars whose late fee is waived"), coerce=int, required=False,
        choices=[(s, f"{s}★") for s in range(5, -1, -1)], widget=CHECKBOXES)
    emergency_days = forms.IntegerField(label=_("Emergency continuity pass lasts (days)"))
    emergency_per_month = forms.IntegerField(label=_("Emergency passes per month"))
    retention_notice_days = forms.IntegerField(label=_("Retention-deadline SMS this many days before closure"))
    exemption_max_days = forms.IntegerField(label=_("An exemption from barring lasts at most (days)"))
    immediate_rules = forms.MultipleChoiceField(
        label=_("Rules applied at once when billing posts (the others wait for the nightly run)"), required=False,
        choices=BARRING_RULE_CHOICES, widget=CHECKBOXES)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        for name in ("late_fee_waived_stars", "immediate_rules"):
            if name in data:
                data[name] = tuple(data[name])
        return data


class BarringDraftForm(StyledForm):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BarringPublishForm(StyledForm):
    reason = forms.CharField(label=_("Why (recorded with the decision)"), max_length=200)
