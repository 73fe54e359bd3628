from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.api.fields import DayField, MomentField
from core.api.serializers import IntakeSerializer
from customers.models import Line
from enterprise.choices import InteractionKind, Priority
from enterprise.forms import manager_choices
from enterprise.api.account_data import AgreementSerializer, KeyPersonSerializer, ProductSerializer
from enterprise.models import EnterpriseAccount, Interaction, Task


class EnterpriseAccountSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True)
    account_manager = serializers.CharField(source="account_manager.username", default=None, read_only=True)
    service_manager = serializers.CharField(source="service_manager.username", default=None, read_only=True,
                                            allow_null=True)
    member_count = serializers.IntegerField(read_only=True)
    competitors = serializers.ListField(source="competitor_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = EnterpriseAccount
        fields = ["id", "name", "industry", "region", "size", "headcount", "customer_since", "competitors",
                  "unified_billing_revenue", "legacy_class", "computed_class", "class_score", "class_factors",
                  "class_policy_version", "account_manager", "service_manager", "member_count"]
        read_only_fields = fields


class EnterpriseAccountDetailSerializer(EnterpriseAccountSerializer):
    key_people = KeyPersonSerializer(many=True, read_only=True)
    agreements = AgreementSerializer(many=True, read_only=True)
    products = ProductSerializer(many=True, read_only=True)

    class Meta(EnterpriseAccountSerializer.Meta):
        fields = [*EnterpriseAccountSerializer.Meta.fields, "key_people", "agreements", "products"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    account = serializers.IntegerField(source="enterprise_id", read_only=True)
    plan = serializers.CharField(source="plan.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="active, one_way_barred, two_way_barred, in_retention, "
                                                             "closed")

    class Meta:
        model = Line
        fields = ["id", "msisdn", "account", "customer", "plan", "status", "activated_on", "closed_on"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    assigned_to = serializers.CharField(source="assigned_to.username", default=None, read_only=True)
    assigned_by = serializers.CharField(source="assigned_by.username", default=None, read_only=True)
    completed_by = serializers.CharField(source="completed_by.username", default=None, read_only=True,
                                         allow_null=True)
    status = serializers.CharField(read_only=True, help_text="open, in_progress, done, cancelled")

    class Meta:
        model = Task
        fields = ["id", "account", "title", "description", "assigned_to", "assigned_by", "due_date", "priority",
                  "status", "outcome", "completed_at", "completed_by", "created_at"]
        read_only_fields = fields


class TaskCreateSerializer(IntakeSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=EnterpriseAccount.objects.none())
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    assigned_to = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.none(), required=False,
                                                     allow_null=True, default=None,
                                                     help_text="user id; default the account's manager")
    due_date = DayField()
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts
        self.fields["assigned_to"].queryset = manager_choices()  # whether they see the account: the service


class InteractionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None, read_only=True)

    class Meta:
        model = Interaction
        fields = ["id", "account", "kind", "by", "at", "summary", "next_step", "service_day", "task"]
        read_only_fields = fields


class InteractionCreateSerializer(IntakeSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=EnterpriseAccount.objects.none())
    kind = serializers.ChoiceField(choices=InteractionKind.choices)
    at = MomentField(required=False, default=None, allow_null=True, help_text="default now; not in the future")
    summary = serializers.CharField(max_length=4000)
    next_step = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    service_day = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                           max_value=2**62, help_text="id of the service day this visit logs")

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts
