from datetime import timedelta
from decimal import Decimal

from rest_framework import serializers

from arrears.models import ServiceProvider
from core.api.fields import MomentField, MoneyField, MonthField
from core.api.serializers import IntakeSerializer, MoneyIntakeSerializer
from customers.choices import ServiceStatus
from customers.policies import MSISDN_PATTERN

MONEY = {"max_digits": 12, "decimal_places": 2}
DUE_WITHIN_DAYS = 120  # a bill falls due within this many days of the start of its month
DUE_BEFORE_PERIOD = "The due date cannot be before the billed month."
DUE_TOO_LATE = "A bill falls due within {days} days of its month's start (by {latest})."


def msisdn_field():
    return serializers.RegexField(MSISDN_PATTERN, max_length=11,
                                  error_messages={"invalid": "A mobile number is 11 digits starting with 1."})


class BillingItemSerializer(IntakeSerializer):
    # One item billing pushes about a line (a comment: drf-spectacular would show a docstring on every item).
    # `customer_dates`: fields whose date cannot be before the customer joined ({field: True when it is a
    # month}); the view checks them once it has found the line.
    customer_dates: dict[str, bool] = {}
    msisdn = msisdn_field()


class PaymentInSerializer(BillingItemSerializer, MoneyIntakeSerializer):
    customer_dates = {"paid_at": False}
    amount = MoneyField(operation="payment")
    paid_at = MomentField()
    channel = serializers.CharField(max_length=20)
    reference = serializers.CharField(max_length=64)


class SpChargeInSerializer(IntakeSerializer):
    sp = serializers.SlugField(max_length=20, help_text="the service provider's code")
    amount = MoneyField(operation="sp_charge")


class BillCostsInSerializer(IntakeSerializer):
    """The costs attributed to the bill (all optional, CNY ≥ 0): they feed the customer value model."""
    interconnect = MoneyField(operation="sp_charge", minimum="0.00", required=False)
    handset_subsidy = MoneyField(operation="sp_charge", minimum="0.00", required=False)
    discount = MoneyField(operation="sp_charge", minimum="0.00", required=False)
    commission = MoneyField(operation="sp_charge", minimum="0.00", required=False)


class BillInSerializer(BillingItemSerializer, MoneyIntakeSerializer):
    customer_dates = {"period": True}
    period = MonthField(help_text="YYYY-MM, the billed month")
    amount = MoneyField(operation="bill", minimum="0.00")
    due_date = serializers.DateField()

    sp_charges = SpChargeInSerializer(many=True, required=False, default=list,
                                      help_text="the parts of the amount that service providers charged")
    costs = BillCostsInSerializer(required=False, default=dict,
                                  help_text="costs attributed to the bill: interconnect, handset_subsidy, discount, "
                                            "commission")

    def validate(self, data):
        period, due = data["period"], data["due_date"]
        if due < period:
            raise serializers.ValidationError({"due_date": [serializers.ErrorDetail(DUE_BEFORE_PERIOD,
                                                                                    code="before_period")]})
        if due > (latest := period + timedelta(days=DUE_WITHIN_DAYS)):
            raise serializers.ValidationError({"due_date": [serializers.ErrorDetail(
                DUE_TOO_LATE.format(days=DUE_WITHIN_DAYS, latest=latest), code="too_late")]})
        return {**data, "sp_charges": self._sp_charges(data["amount"], data["sp_charges"])}

    @staticmethod
    def _sp_charges(amount, charges) -> dict[int, Decimal]:
        """{service provider id: amount}; each SP once, known, and together no more than the bill."""
        if not charges:  # most bills: no query
            return {}
        codes = [c["sp"] for c in charges]
        if len(set(codes)) != len(codes):
            raise serializers.ValidationError({"sp_charges": "Each service provider appears once per bill."})
        known = dict(ServiceProvider.objects.filter(code__in=codes).values_list("code", "id"))
        if unknown := sorted(set(codes) - known.keys()):
            raise serializers.ValidationError({"sp_charges": f"Unknown service provider(s): {', '.join(unknown)}."})
        if sum((c["amount"] for c in charges), Decimal("0")) > amount:
            raise serializers.ValidationError({"sp_charges": "SP charges add up to more than the bill."})
        return {known[c["sp"]]: c["amount"] for c in charges}


class PostingResultSerializer(serializers.Serializer):
    msisdn = serializers.CharField(source="line.msisdn")
    balance = serializers.DecimalField(**MONEY, help_text="TMF666 accountBalance")
    usable_credit = serializers.DecimalField(**MONEY, help_text="balance + credit limit")
    state = serializers.CharField(help_text="the barring state the policy gives now (see `applied`)")
    restored = serializers.BooleanField()
    rule = serializers.CharField(help_text="the policy rule that gives `state`; empty when the line stays as it was")
    applied = serializers.BooleanField(help_text="false: the policy leaves this rule to the nightly run, which "
                                                 "applies it (the line is still in its previous state)")
    credit_limit = serializers.DecimalField(**MONEY, help_text="TMF666 creditLimit")


class UsageInSerializer(BillingItemSerializer, MoneyIntakeSerializer):
    customer_dates = {"month": True}
    month = MonthField(help_text="YYYY-MM, the month summarised")
    voice_minutes = serializers.IntegerField(min_value=0, max_value=2_000_000)
    data_mb = serializers.IntegerField(min_value=0, max_value=2_000_000_000)
    sms_count = serializers.IntegerField(min_value=0, max_value=2_000_000)
    competitor_hotline_calls = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
    plan_saturation = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0"),
                                               help_text="share of the plan's allowance used, in %")
    broadband_bundled = serializers.BooleanField(default=False)
    bill_amount = MoneyField(operation="usage", minimum="0.00")
    prepaid_balance = MoneyField(operation="usage", signed=True)


class UsageResultSerializer(serializers.Serializer):
    msisdn = serializers.CharField(source="line.msisdn")
    month = MonthField(read_only=True)
    created = serializers.BooleanField(help_text="false: the month was there and its figures were replaced")
    usable_credit = serializers.DecimalField(**MONEY, help_text="balance + credit limit")
    state = serializers.CharField(help_text="the barring state the policy gives now (see `applied`)")
    rule = serializers.CharField(help_text="the policy rule that gives `state`; empty when the line stays as it was")
    applied = serializers.BooleanField(help_text="false: the policy leaves this rule to the nightly run")


class LineStatusInSerializer(BillingItemSerializer):
    customer_dates = {"changed_at": False}
    status = serializers.ChoiceField(choices=ServiceStatus.choices)
    changed_at = MomentField()
    reason = serializers.CharField(max_length=200)


class LineStatusResultSerializer(serializers.Serializer):
    msisdn = serializers.CharField(source="line.msisdn")
    status = serializers.CharField()
    changed = serializers.BooleanField(help_text="false: the line already had this status; nothing was written")
