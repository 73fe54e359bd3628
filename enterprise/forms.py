from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.choices import Role
from core.forms import BoundedDateField, LookupChoiceField, MoneyFormField, StaffChoiceField, StyledForm
from core.models import Region
from core.scope import scope_holders_q
from enterprise.choices import (
    InteractionKind,
    KeyPersonRole,
    LegacyClass,
    ManagerKind,
    OpportunityKind,
    OpportunityStage,
    Priority,
    Product,
    SizeBand,
    TaskStatus,
)
from enterprise.models import Agreement, ServiceDayOrder


def manager_choices(region_id=None):
    qs = get_user_model().objects.filter(groups__name__in=[Role.ACCOUNT_MANAGER, Role.TEAM_LEAD], is_active=True)
    if region_id:
        qs = qs.filter(staff_profile__team__region_id=region_id)
    return qs.select_related("staff_profile").order_by("username")


class ReassignForm(StyledForm):
    kind = forms.ChoiceField(label=_("Which manager"), choices=ManagerKind.choices)
    to_manager = StaffChoiceField(label=_("New manager"), queryset=get_user_model().objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, region_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_manager"].queryset = manager_choices(region_id)


class TaskForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    assigned_to = StaffChoiceField(label=_("Assigned to"), queryset=get_user_model().objects.none(),
                                         required=False, help_text=_("empty: the account's manager"))
    due_date = BoundedDateField(label=_("Due date"))
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int,
                                      initial=Priority.NORMAL)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        # Only managers who will see the task (the service refuses anyone else).
        self.fields["assigned_to"].queryset = manager_choices(account.region_id).filter(
            scope_holders_q(account)).distinct()


class TaskUpdateForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)


class InteractionForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionKind.choices)
    at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    service_day = forms.ModelChoiceField(label=_("Service day this visit reports"), queryset=None, required=False)

    def __init__(self, *args, service_days=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["service_day"].queryset = service_days if service_days is not None else \
            ServiceDayOrder.objects.none()


class ServiceDayForm(StyledForm):
    requested_date = BoundedDateField(label=_("Service date"), future_days=366,
                                      help_text=_("none after the 25th: such a date moves to the next month"))
    policy = forms.CharField(label=_("Service policy"), widget=forms.Textarea(attrs={"rows": 3}))
    materials = forms.CharField(label=_("Materials"), max_length=300,
                                initial="横幅, 4G 宣传单页, 易拉宝, 海报, 小礼品")


class ReportSubmitForm(StyledForm):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))


class OpportunityForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=OpportunityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    account = LookupChoiceField(label=_("Account"), lookup="lookup-enterprise-accounts", required=False,
                                help_text=_("empty: a prospect, not yet a customer"))
    prospect_name = forms.CharField(label=_("Prospect"), max_length=100, required=False)
    plan = forms.CharField(label=_("Development plan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expected_revenue = forms.DecimalField(label=_("Expected revenue per month"), max_digits=14, decimal_places=2,
                                          min_value=0, required=False)
    expected_close = BoundedDateField(label=_("Expected close"), required=False)

    def __init__(self, *args, accounts=None, **kwargs):
        """`accounts`: those in the user's scope; the picker posts an id, checked against them."""
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts


class OpportunityStageForm(StyledForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=OpportunityStage.choices)
    note = forms.CharField(label=_("Note"), max_length=100, required=False)


# ---------------------------------------------------------------- account data kept by the managers


class AccountForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    industry = forms.CharField(label=_("Industry"), max_length=50)
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)
    size = forms.ChoiceField(label=_("Size"), choices=SizeBand.choices)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=0, max_value=10_000_000, initial=0)
    customer_since = BoundedDateField(label=_("Customer since"), required=False, past_days=60 * 366, future_days=0)
    competitors = forms.CharField(label=_("Competitors present"), max_length=200, required=False,
                                  help_text=_("operators already serving the group, comma separated"))
    legacy_class = forms.ChoiceField(label=_("Legacy class"), choices=LegacyClass.choices, initial=LegacyClass.C)
    account_manager = StaffChoiceField(label=_("Account manager"), queryset=None, required=False,
                                             help_text=_("empty: yourself"))

    def __init__(self, *args, user=None, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("code")
        if creating and user is not None and user.has_perm("enterprise.reassign_enterpriseaccount"):
            self.fields["account_manager"].queryset = manager_choices()
        else:  # an account manager's accounts are their own; later changes of hands are reassignments
            del self.fields["account_manager"]


class KeyPersonForm(StyledForm):
    role = forms.ChoiceField(label=_("Role"), choices=KeyPersonRole.choices)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=50, required=False)
    phone = forms.RegexField(label=_("Phone"), max_length=20, required=False, regex=r"^[0-9+\- ]{5,20}$",
                             help_text=_("shown masked; when editing, empty keeps the number on record"))
    line_msisdn = forms.RegexField(label=_("Own line with us"), regex=r"^1\d{10}$", required=False,
                                   help_text=_("their mobile number with us, if any: their churn risk and "
                                               "dual-SIM show on the account"))
    vip_card_issued_on = BoundedDateField(label=_("VIP card issued on"), required=False, past_days=20 * 366,
                                          future_days=0)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)


class AgreementForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    signed_on = BoundedDateField(label=_("Signed on"), past_days=20 * 366, future_days=366)
    expires_on = BoundedDateField(label=_("Expires on"), past_days=20 * 366, future_days=10 * 366)
    monthly_value = MoneyFormField(label=_("Monthly value"), operation="campaign", minimum="0.00", required=False,
                                   initial="0.00")
    renews = forms.ModelChoiceField(label=_("Renews"), queryset=None, required=False,
                                    help_text=_("the agreement this one renews"))
    ended_on = BoundedDateField(label=_("Ended without renewal on"), required=False, past_days=20 * 366,
                                future_days=366)
    end_reason = forms.CharField(label=_("Why it ended without renewal"), max_length=200, required=False)

    def __init__(self, *args, account=None, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["renews"].queryset = Agreement.objects.filter(
                account=account, renewal__isnull=True, ended_on__isnull=True).order_by("-expires_on")
            del self.fields["ended_on"], self.fields["end_reason"]
        else:
            del self.fields["renews"]


class ProductForm(StyledForm):
    product = forms.ChoiceField(label=_("Product"), choices=Product.choices)
    since = BoundedDateField(label=_("Since"), past_days=30 * 366, future_days=0)
    monthly_revenue = MoneyFormField(label=_("Monthly revenue"), operation="campaign", minimum="0.00",
                                     required=False, initial="0.00")

    def __init__(self, *args, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["product"]
