
from rest_framework import serializers

from core.api.fields import MoneyField
from core.api.serializers import IntakeSerializer, MoneyIntakeSerializer
from credit.choices import ExtendedService
from customers import policies as customer_policies

MAX_BULK = 1000


class EntitlementsSerializer(serializers.Serializer):
    retention_days = serializers.IntegerField()
    free_sim_replacements_per_year = serializers.IntegerField()
    fee_waivers = serializers.BooleanField()
    numbers_per_person = serializers.IntegerField()
    flexible_authentication = serializers.BooleanField()
    rebate_before_verification = serializers.BooleanField()
    emergency_continuity = serializers.BooleanField()
    dedicated_channel = serializers.BooleanField()


class CreditStatusSerializer(serializers.Serializer):
    msisdn = serializers.CharField()
    customer_id = serializers.IntegerField()
    line_status = serializers.CharField()
    barring_state = serializers.CharField(
        help_text="active, reminded, one_way_barred, two_way_barred, in_retention, closed")
    star = serializers.IntegerField(allow_null=True, help_text="null = unrated")
    credit_limit = serializers.DecimalField(max_digits=12, decimal_places=2)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    shared_credit = serializers.DecimalField(max_digits=12, decimal_places=2,
                                             help_text="shares received − given, active now")
    usable_credit = serializers.DecimalField(max_digits=12, decimal_places=2)
    entitlements = EntitlementsSerializer()


class BulkCreditStatusRequestSerializer(IntakeSerializer):
    msisdns = serializers.ListField(child=serializers.CharField(max_length=11), min_length=1, max_length=MAX_BULK)

    def validate_msisdns(self, values):
        errors = {}
        for i, value in enumerate(values):
            if not customer_policies.MSISDN_PATTERN.match(value):
                errors[i] = [f"Not a mobile number: {value!r} (11 digits starting with 1 and then 3–9)."]
        if errors:
            raise serializers.ValidationError(errors)
        return values


class BulkCreditStatusSerializer(serializers.Serializer):
    results = CreditStatusSerializer(many=True)
    not_found = serializers.ListField(child=serializers.CharField())


ERR_APPROVER_FIELD = ("Four-eyes requests are approved by the second officer in their own session "
                      "(POST /api/credit/four-eyes/{id}/approve/): leave out the approver.")


class LimitChangeSerializer(MoneyIntakeSerializer):
    """Inside the star's range the limit changes at once (201, the rating); outside it a four-eyes request waits
    for a second credit officer (202, the request)."""

    amount = MoneyField(operation="credit_limit", minimum="0.00")
    reason = serializers.CharField(max_length=300)

    def validate(self, attrs):
        if "approver" in self.initial_data:  # a typed name is not a second pair of eyes
            raise serializers.ValidationError({"approver": serializers.ErrorDetail(ERR_APPROVER_FIELD,
                                                                                   code="four_eyes")})
        return attrs


class FourEyesRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    subject_type = serializers.CharField(source="subject_type.model")
    subject_id = serializers.IntegerField()
    payload = serializers.JSONField()
    reason = serializers.CharField()
    status = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.username")
    requested_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


class FourEyesDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                   help_text="required to reject")


class ExtendedRequestSerializer(MoneyIntakeSerializer):
    """A request for balance transfer, credit sharing or credit transfer: 201 with the grant, or 400 naming the
    rule that refused it (nothing written). `giver_msisdn`: the giving line of a balance transfer (default:
    the giver's first open line)."""

    id = serializers.IntegerField(read_only=True)
    service = serializers.ChoiceField(choices=ExtendedService.choices)
    giver = serializers.IntegerField(help_text="customer id of the giving customer", source="giver_id")
    receiver_msisdn = serializers.CharField(max_length=11)
    giver_msisdn = serializers.CharField(max_length=11, required=False, write_only=True)
    amount = MoneyField(operation="extended_credit")
    channel = serializers.CharField(max_length=20)
    status = serializers.CharField(read_only=True)
    effective_at = serializers.DateTimeField(read_only=True)
    valid_until = serializers.DateTimeField(read_only=True)
    policy_version = serializers.IntegerField(read_only=True)


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer_id")
    kind = serializers.CharField()
    policy_version = serializers.CharField()
    old_star = serializers.IntegerField(allow_null=True)
    new_star = serializers.IntegerField(allow_null=True)
    old_limit = serializers.DecimalField(max_digits=12, decimal_places=2)
    new_limit = serializers.DecimalField(max_digits=12, decimal_places=2)
    rule = serializers.CharField()
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()
