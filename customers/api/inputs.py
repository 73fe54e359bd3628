"""The API of the new inputs (devices, care contacts, call quality, contracts, services held, payment method):
single and bulk, each write under an Idempotency-Key, for the billing/CRM service account. A bulk is validated
whole in Python and written by customers.inputs with one set-based statement per kind (its query count does not
grow with its items). Default all-or-nothing; "partial": true writes the good items and reports the bad ones."""

import functools
from datetime import datetime
from decimal import Decimal

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.response import Response

from core import policies as core_policies
from core.api.errors import field_messages
from core.api.fields import DayField, MomentField, MoneyField, MonthField
from core.api.idempotency import idempotent, write_views
from core.api.serializers import IntakeSerializer, MoneyIntakeSerializer, bulk_result_serializer
from core.api.viewsets import ScopedAPIView
from customers import bulk_validate, inputs, selectors
from customers.api.bulk import BulkPostView
from customers.bulk_types import array_literal
from customers.choices import (CareChannel, CareContactKind, CareOutcome, ContractType, HeldServiceCode,
                               PaymentMethodCode, PriceBand)
from customers.models import CareContact, Contract, Customer, Device, HeldService, Line, \
    PaymentMethodRecord
from customers.policies import MSISDN_PATTERN
from customers.sql import MSISDN_IN_SQL

HISTORY_DAYS = 30 * 366  # a device, contract or service may have started long before the intake went live
TERM_AHEAD_DAYS = 10 * 366  # the furthest end of a contract term
MAX_CALLS = 100_000  # per line and month
MAX_MINUTES = 31 * 24 * 60  # minutes in a month
UNKNOWN_LINE = "No line with this number (or not yours to post to)."


def msisdn_field():
    return serializers.RegexField(MSISDN_PATTERN, max_length=11,
                                  error_messages={"invalid": "A mobile number is 11 digits starting with 1."})


def msisdn_in(numbers) -> RawSQL:
    """`msisdn = ANY(<one array>)`: a bulk's 10,000 numbers as one parameter (an IN list of 10,000 placeholders
    costs more to send and plan than the lookup itself)."""
    return RawSQL(MSISDN_IN_SQL, (array_literal(sorted(set(numbers))),), output_field=BooleanField())


def lines_by_msisdn(user, numbers) -> dict[str, Line]:
    """The caller's lines with these numbers, one query (scope: core.scope via Customer.visible_to)."""
    visible = Customer.objects.visible_to(user)
    return {line.msisdn: line for line in Line.objects.filter(msisdn_in(numbers), customer__in=visible)
            .select_related("customer").only("id", "msisdn", "customer_id", "customer__join_date")
            .order_by()}  # unordered: a dict looked up by number (Line's Meta ordering would sort them all)


# ------------------------------------------------------------------------------------------------ items in

class InputItemSerializer(IntakeSerializer):
    # One fact about a line. `customer_dates`: fields that cannot predate the customer's joining ({field: True
    # when a month}); `kind`: the customers.inputs kind it is written as.
    kind = ""
    customer_dates: dict[str, bool] = {}
    msisdn = msisdn_field()

    def validate(self, data):
        errors = inputs.item_rule_errors(self.kind, data)
        if errors:
            raise serializers.ValidationError({self._api_name(f): [ErrorDetail(m, code=e.code or "invalid")
                                                                   for m in e.messages] for f, e in errors.items()})
        return data

    def _api_name(self, source: str) -> str:
        return api_names(type(self)).get(source, source)


@functools.cache
def api_names(item_class) -> dict[str, str]:
    """{model field: API field} of an item serializer (built once: a serializer's fields are costly to build)."""
    return {f.source: name for name, f in item_class().fields.items()}


class DeviceInSerializer(InputItemSerializer):
    kind = "device"
    brand = serializers.CharField(max_length=30)
    model = serializers.CharField(max_length=50)
    price_band = serializers.ChoiceField(choices=PriceBand.choices)
    dual_sim = serializers.BooleanField()
    first_used_on = DayField(source="started_on", past_days=HISTORY_DAYS, future_days=0,
                             help_text="the day the device was first used on this line")


class CareContactInSerializer(InputItemSerializer):
    kind = "care_contact"
    customer_dates = {"contacted_at": False}
    reference = serializers.CharField(max_length=64, help_text="the care system's ticket id; resent = corrected")
    contact_kind = serializers.ChoiceField(source="kind", choices=CareContactKind.choices)
    channel = serializers.ChoiceField(choices=CareChannel.choices)
    reason = serializers.CharField(max_length=200)
    outcome = serializers.ChoiceField(choices=CareOutcome.choices)
    contacted_at = MomentField()


class CallQualityInSerializer(InputItemSerializer):
    kind = "call_quality"
    customer_dates = {"month": True}
    month = MonthField(help_text="YYYY-MM; a month never sent stays unknown")
    dropped_calls = serializers.IntegerField(min_value=0, max_value=MAX_CALLS)
    blocked_calls = serializers.IntegerField(min_value=0, max_value=MAX_CALLS)
    unanswered_calls = serializers.IntegerField(min_value=0, max_value=MAX_CALLS)
    roaming_minutes = serializers.IntegerField(min_value=0, max_value=MAX_MINUTES)
    overage_minutes = serializers.IntegerField(min_value=0, max_value=MAX_MINUTES)


class ContractInSerializer(InputItemSerializer, MoneyIntakeSerializer):
    kind = "contract"
    customer_dates = {"starts_on": False}
    contract_type = serializers.ChoiceField(source="kind", choices=ContractType.choices)
    starts_on = DayField(past_days=HISTORY_DAYS, future_days=0)
    ends_on = DayField(past_days=HISTORY_DAYS, future_days=TERM_AHEAD_DAYS, required=False, allow_null=True,
                       default=None, help_text="empty for month-to-month")
    early_exit_fee = MoneyField(operation="early_exit_fee", minimum="0.00", required=False, default=Decimal("0.00"))


class HeldServiceInSerializer(InputItemSerializer):
    kind = "held_service"
    customer_dates = {"started_on": False}
    code = serializers.ChoiceField(choices=HeldServiceCode.choices)
    started_on = DayField(past_days=HISTORY_DAYS, future_days=0)
    ended_on = DayField(required=False, allow_null=True, default=None, past_days=HISTORY_DAYS, future_days=0,
                        help_text="the same code and start again with an end date ends it")


class PaymentMethodInSerializer(InputItemSerializer):
    kind = "payment_method"
    customer_dates = {"since": False}
    method = serializers.ChoiceField(choices=PaymentMethodCode.choices)
    auto_pay = serializers.BooleanField(help_text="debited without the customer acting")
    since = DayField(past_days=HISTORY_DAYS, future_days=0)


# ------------------------------------------------------------------------------------------------ results out

@functools.cache
def result_serializer(item_class):
    """{msisdn, <the item's natural key>, created} for an item of `item_class`."""
    fields, names = item_class().fields, api_names(item_class)
    attrs = {"msisdn": serializers.CharField(source="line.msisdn"),
             "created": serializers.BooleanField(help_text="false: the same fact was there and was replaced")}
    for key in inputs.KINDS[item_class.kind].key:
        field = fields[names[key]]
        shape = serializers.CharField if isinstance(field, serializers.ChoiceField) else type(field)
        attrs[names[key]] = shape(source=f"keyed.{key}", read_only=True)
    return type(item_class.__name__.replace("InSerializer", "Result"), (serializers.Serializer,), attrs)


# ------------------------------------------------------------------------------------------------ views

def customer_date_errors(item_class, line: Line, data: dict) -> dict:
    """Fields of the item dated before the customer joined."""
    errors = {}
    names = api_names(item_class)
    for source, month in item_class.customer_dates.items():
        value = data.get(source)
        if value is None:
            continue
        day = timezone.localdate(value) if isinstance(value, datetime) else value
        if refusal := core_policies.joined_refusal(day, joined=line.customer.join_date, month=month):
            errors[names.get(source, source)] = [ErrorDetail(str(refusal), code=refusal.code)]
    return errors


class InputView(ScopedAPIView):
    """One item: validate, find the line (404), write it, answer {msisdn, key, created}."""

    item_serializer = InputItemSerializer

    @property
    def endpoint(self) -> str:
        return f"inputs.{self.item_serializer.kind}"

    def post(self, request):
        def handle():
            body = self.item_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            line = lines_by_msisdn(request.user, [data["msisdn"]]).get(data["msisdn"])
            if line is None:
                raise NotFound({"msisdn": UNKNOWN_LINE})
            if errors := customer_date_errors(self.item_serializer, line, data):
                raise ValidationError(errors)
            result = inputs.input_record(kind=self.item_serializer.kind, line=line, data=_fields(data))
            return Response(result_serializer(self.item_serializer)(result).data, status=status.HTTP_201_CREATED)

        return idempotent(request, self.endpoint, handle)


class BulkInputView(BulkPostView, InputView):
    """Up to 10,000 items, validated whole, written set-based (one statement per kind)."""

    def bulk_write(self, request, good: list[tuple[int, dict]], errors: dict, partial: bool) -> dict:
        item_class = self.item_serializer
        lines = lines_by_msisdn(request.user, [data["msisdn"] for _, data in good])
        ready = []
        for index, data in good:
            line = lines.get(data["msisdn"])
            if line is None:
                errors[index] = {"msisdn": [UNKNOWN_LINE]}
            elif found := customer_date_errors(item_class, line, data):
                errors[index] = found
            else:
                ready.append((index, line, _fields(data)))
        if errors and not partial:
            raise ValidationError({"items": dict(sorted(errors.items()))})
        try:
            results = inputs.inputs_record(kind=item_class.kind, items=[(ln, d) for _, ln, d in ready])
        except inputs.ItemsRefused as refused:  # rules across items (the same fact twice)
            for position, found in refused.errors.items():
                errors[ready[position][0]] = found
            if not partial:
                raise ValidationError({"items": dict(sorted(errors.items()))}) from refused
            ready = [r for position, r in enumerate(ready) if position not in refused.errors]
            results = inputs.inputs_record(kind=item_class.kind, items=[(ln, d) for _, ln, d in ready])
        if errors and not partial:
            raise ValidationError({"items": dict(sorted(errors.items()))})
        represent = _representer(result_serializer(item_class))  # the result serializer's .data, item for item
        return {"posted": len(results), "failed": len(errors),
                "results": [represent(result, {"index": index}) for (index, _, _), result in zip(
                    ready, results, strict=True)],
                "errors": [{"index": i, "errors": field_messages(e)} for i, e in sorted(errors.items())]}


def _fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in {"msisdn", "currency"}}


_representer = functools.cache(bulk_validate.representer)


def _views(item_class, permission: str):
    return write_views(item_class.kind.title().replace("_", ""), (InputView,), (BulkInputView,), item=item_class,
                       result=result_serializer(item_class),
                       bulk_result=bulk_result_serializer(result_serializer(item_class)),
                       item_serializer=item_class, permission_required=permission)


# (path, url name, item serializer, permission)
INPUTS = (
    ("devices", "input-devices", DeviceInSerializer, "customers.add_device"),
    ("care-contacts", "input-care-contacts", CareContactInSerializer, "customers.add_carecontact"),
    ("call-quality", "input-call-quality", CallQualityInSerializer, "customers.add_callquality"),
    ("contracts", "input-contracts", ContractInSerializer, "customers.add_contract"),
    ("services-held", "input-services-held", HeldServiceInSerializer, "customers.add_heldservice"),
    ("payment-methods", "input-payment-methods", PaymentMethodInSerializer, "customers.add_paymentmethodrecord"),
)
VIEWS = {name: _views(item_class, permission) for _, name, item_class, permission in INPUTS}


# ------------------------------------------------------------------------------------------------ read

class DeviceOutSerializer(serializers.ModelSerializer):
    msisdn = serializers.CharField(source="line.msisdn", allow_null=True, default=None)
    first_used_on = serializers.DateField(source="started_on")

    class Meta:
        model = Device
        fields = ["msisdn", "brand", "model", "price_band", "dual_sim", "first_used_on", "superseded_on"]


def _out(model, names):
    meta = type("Meta", (), {"model": model, "fields": ["msisdn", *names]})
    return type(f"{model.__name__}OutSerializer", (serializers.ModelSerializer,),
                {"Meta": meta, "msisdn": serializers.CharField(source="line.msisdn")})


ContractOutSerializer = _out(Contract, ["kind", "starts_on", "ends_on", "early_exit_fee"])
HeldServiceOutSerializer = _out(HeldService, ["code", "started_on", "ended_on"])
PaymentMethodOutSerializer = _out(PaymentMethodRecord, ["method", "auto_pay", "since"])
CareContactOutSerializer = _out(CareContact, ["reference", "kind", "channel", "reason", "outcome", "contacted_at"])


class CallQualityMonthSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^([0-9]{4})-(0[1-9]|1[0-2])$", read_only=True,
                                   help_text="YYYY-MM; months never reported are absent (unknown)")
    dropped = serializers.IntegerField()
    blocked = serializers.IntegerField()
    unanswered = serializers.IntegerField()
    roaming = serializers.IntegerField()
    overage = serializers.IntegerField()


class CustomerInputsSerializer(serializers.Serializer):
    device = DeviceOutSerializer(allow_null=True)
    device_months = serializers.IntegerField(allow_null=True, help_text="handset age in months")
    earlier_devices = DeviceOutSerializer(many=True)
    contract = ContractOutSerializer(allow_null=True)
    contract_days_left = serializers.IntegerField(allow_null=True)
    services_held = HeldServiceOutSerializer(many=True)
    payment_method = PaymentMethodOutSerializer(allow_null=True)
    care_contacts = CareContactOutSerializer(many=True)
    care_counts_90d = serializers.DictField(child=serializers.IntegerField())
    call_quality = CallQualityMonthSerializer(many=True)


class CustomerInputsView(ScopedAPIView):
    """GET: a customer's inputs as the 360 page shows them (in the caller's scope, else 404)."""

    permission_required = "customers.view_customer"

    @extend_schema(responses={200: CustomerInputsSerializer})
    def get(self, request, pk: int):
        customer = Customer.objects.visible_to(request.user).filter(pk=pk).first()
        if customer is None:
            raise NotFound()
        return Response(CustomerInputsSerializer(selectors.customer_inputs(customer=customer)).data)
