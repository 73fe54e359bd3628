from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers

from core.masking import mask_address, mask_id_number
from core.models import Region
from customers import policies
from customers.choices import Gender, IdType, RevealPurpose
from customers.models import Brand, Channel, Customer, Line, Plan
from customers.services import ContactData, OnboardingData


def _django_validator(func):
    def validate(value):
        try:
            return func(value)
        except DjangoValidationError as e:
            raise serializers.ValidationError(e.messages[0], code=e.code) from e

    return validate


class CustomerSerializer(serializers.ModelSerializer):
    """Read shape. ID number and address are always masked here; see the personal-data action."""

    id_number = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    brand = serializers.SlugRelatedField(slug_field="code", read_only=True)
    acquiring_channel = serializers.PrimaryKeyRelatedField(read_only=True)
    tenure_months = serializers.SerializerMethodField()
    lines = serializers.SlugRelatedField(slug_field="msisdn", many=True, read_only=True)
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True, read_only=True)  # "" = not recorded

    class Meta:
        model = Customer
        fields = ["id", "name", "id_type", "id_number", "gender", "address", "occupation", "industry", "workplace",
                  "region", "brand", "join_date", "tenure_months", "status", "credit_star", "credit_limit",
                  "avg_monthly_spend", "vip_tier", "lifecycle_stage", "data_completeness", "account_manager",
                  "acquiring_channel", "lines", "created_at", "updated_at"]
        read_only_fields = fields

    def get_id_number(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def get_address(self, obj) -> str:
        return mask_address(obj.address)

    def get_tenure_months(self, obj) -> int:
        return policies.tenure_months(obj.join_date, timezone.localdate())


class CustomerUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["address", "occupation", "industry", "workplace", "vip_tier", "lifecycle_stage"]


class PersonalDataSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    address = serializers.CharField()


class RevealRequestSerializer(serializers.Serializer):
    """Why the unmasked data is needed; the reveal service checks and logs both."""

    purpose = serializers.ChoiceField(choices=RevealPurpose.choices)
    purpose_note = serializers.CharField(max_length=policies.REVEAL_NOTE_MAX)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    relation = serializers.CharField(max_length=20)
    msisdn = serializers.CharField(max_length=11, validators=[_django_validator(policies.validate_msisdn)])


class CustomerOnboardSerializer(serializers.Serializer):
    """Write shape for opening a customer with their first line; the onboarding service does the rest."""

    name = serializers.CharField(max_length=50)
    id_type = serializers.ChoiceField(choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = serializers.CharField(max_length=32)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True, default="")
    msisdn = serializers.CharField(max_length=11, validators=[_django_validator(policies.validate_msisdn)])
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    brand = serializers.SlugRelatedField(slug_field="code", queryset=Brand.objects.all())
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())
    acquiring_channel = serializers.SlugRelatedField(slug_field="code", queryset=Channel.objects.all())
    address = serializers.CharField(max_length=200, required=False, default="")
    occupation = serializers.CharField(max_length=50, required=False, default="")
    industry = serializers.CharField(max_length=50, required=False, default="")
    workplace = serializers.CharField(max_length=100, required=False, default="")
    join_date = serializers.DateField(required=False, help_text="today, if sent (a customer joins that day)")
    policy_explained = serializers.BooleanField()
    related_contacts = ContactSerializer(many=True, required=False, default=list)

    def to_onboarding_data(self) -> OnboardingData:
        d = dict(self.validated_data)
        d["related_contacts"] = [ContactData(**c) for c in d.get("related_contacts", [])]
        return OnboardingData(**d)


class LineSerializer(serializers.ModelSerializer):
    """Read shape, and the update of a line's plan. The number changes through change-number; customer and
    activation date are set when the line is opened."""

    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())

    class Meta:
        model = Line
        fields = ["id", "customer", "msisdn", "plan", "status", "activated_on", "closed_on", "reopen_until",
                  "enterprise"]
        read_only_fields = ["customer", "msisdn", "status", "activated_on", "closed_on", "reopen_until", "enterprise"]


class LineOpenSerializer(serializers.Serializer):
    """Write shape for opening another line; the line-opening service runs the onboarding controls."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    msisdn = serializers.CharField(max_length=11)
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())
    activated_on = serializers.DateField(required=False, help_text="default today; at most a few days back")

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customers is not None:  # a line can only be opened for a customer the caller can see
            self.fields["customer"].queryset = customers


class NumberChangeSerializer(serializers.Serializer):
    new_msisdn = serializers.CharField(max_length=11)
