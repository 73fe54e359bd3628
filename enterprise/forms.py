from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.forms import BoundedDateField, StyledForm
from core.scope import scope_holders_q
from enterprise.choices import InteractionKind, ManagerKind, Priority, TaskStatus


def manager_choices(region_id=None):
    qs = get_user_model().objects.filter(groups__name__in=[Role.ACCOUNT_MANAGER, Role.TEAM_LEAD], is_active=True)
    if region_id:
        qs = qs.filter(staff_profile__team__region_id=region_id)
    return qs.select_related("staff_profile").order_by("username")


class ReassignForm(StyledForm):
    kind = forms.ChoiceField(label=_("Which manager"), choices=ManagerKind.choices)
    to_manager = forms.ModelChoiceField(label=_("New manager"), queryset=get_user_model().objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, region_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_manager"].queryset = manager_choices(region_id)


class TaskForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    assigned_to = forms.ModelChoiceField(label=_("Assigned to"), queryset=get_user_model().objects.none(),
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
        from enterprise.models import ServiceDayOrder

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
    from enterprise.choices import OpportunityKind as _Kind

    kind = forms.ChoiceField(label=_("Kind"), choices=_Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    account = forms.ModelChoiceField(label=_("Account"), queryset=None, required=False,
                                     help_text=_("empty: a prospect, not yet a customer"))
    prospect_name = forms.CharField(label=_("Prospect"), max_length=100, required=False)
    plan = forms.CharField(label=_("Development plan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expected_revenue = forms.DecimalField(label=_("Expected revenue per month"), max_digits=14, decimal_places=2,
                                          min_value=0, required=False)
    expected_close = BoundedDateField(label=_("Expected close"), required=False)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts


class OpportunityStageForm(StyledForm):
    from enterprise.choices import OpportunityStage as _Stage

    stage = forms.ChoiceField(label=_("Stage"), choices=_Stage.choices)
    note = forms.CharField(label=_("Note"), max_length=100, required=False)
