"""POST /api/customers/bulk/: up to 10,000 customers with their lines per request, under an Idempotency-Key,
through the bulk onboarding service (the same controls as single onboarding, checked for the whole batch)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from core.api.errors import field_messages
from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.api.serializers import IntakeSerializer
from core.api.viewsets import ScopedAPIView
from core.models import Region
from customers import bulk_validate, onboarding
from customers.bulk_types import CollectorPausedView
from customers.api.bulk import refuse_too_many
from customers.api.serializers import ContactSerializer
from customers.choices import Gender, IdType
from customers.models import Brand, Channel, Plan
from customers.services import ContactData, OnboardingData

UNKNOWN_CODE = "No {what} with the code {code!r}."
CODES = {"region": (Region, "region"), "brand": (Brand, "brand"), "plan": (Plan, "plan"),
         "acquiring_channel": (Channel, "channel")}


class MoreLineSerializer(IntakeSerializer):
    msisdn = serializers.CharField(max_length=11)
    plan = serializers.SlugField(max_length=30, help_text="plan code (of the customer's brand)")


class OnboardingItemSerializer(IntakeSerializer):
    name = serializers.CharField(max_length=50)
    id_type = serializers.ChoiceField(choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = serializers.CharField(max_length=32)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True, default="")
    msisdn = serializers.CharField(max_length=11, help_text="the first line's number")
    plan = serializers.SlugField(max_length=30, help_text="the first line's plan code")
    region = serializers.SlugField(max_length=20, help_text="region code")
    brand = serializers.SlugField(max_length=20, help_text="brand code")
    acquiring_channel = serializers.SlugField(max_length=30, help_text="channel, outlet or agent code")
    address = serializers.CharField(max_length=200, required=False, default="")
    occupation = serializers.CharField(max_length=50, required=False, default="")
    industry = serializers.CharField(max_length=50, required=False, default="")
    workplace = serializers.CharField(max_length=100, required=False, default="")
    join_date = serializers.DateField(required=False, allow_null=True, default=None,
                                      help_text="today if left out; an earlier day only for an administrator's "
                                                "migration import (with migration_reason)")
    policy_explained = serializers.BooleanField()
    related_contacts = ContactSerializer(many=True, required=False, default=list)
    more_lines = MoreLineSerializer(many=True, required=False, default=list, help_text="further lines")


class BulkOnboardingSerializer(IntakeSerializer):
    items = OnboardingItemSerializer(many=True, allow_empty=False)
    partial = serializers.BooleanField(default=False, help_text="true: onboard the good items, report the bad")
    migration_reason = serializers.CharField(max_length=80, required=False, default="",
                                             help_text="why earlier join dates are imported (administrators)")


class OnboardedSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    customer = serializers.IntegerField(help_text="the new customer's id")
    msisdns = serializers.ListField(child=serializers.CharField())


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class BulkOnboardingResultSerializer(serializers.Serializer):
    onboarded = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = OnboardedSerializer(many=True)
    errors = ItemErrorSerializer(many=True)


def _codes(items: list[dict]) -> dict[str, dict]:
    """{field: {code: object}} for the codes the items use: one query per kind of code."""
    wanted = {name: {item[name] for item in items} for name in CODES}
    wanted["plan"] |= {x["plan"] for item in items for x in item["more_lines"]}
    return {name: model.objects.in_bulk(wanted[name], field_name="code") for name, (model, _) in CODES.items()}


def _to_item(raw: dict, codes: dict) -> tuple[onboarding.OnboardingItem | None, dict]:
    errors = {}
    found = {}
    for name, (_, what) in CODES.items():
        found[name] = codes[name].get(raw[name])
        if found[name] is None:
            errors[name] = [ErrorDetail(UNKNOWN_CODE.format(what=what, code=raw[name]), code="unknown")]
    more = []
    for n, x in enumerate(raw["more_lines"]):
        plan = codes["plan"].get(x["plan"])
        if plan is None:
            errors[f"more_lines[{n}].plan"] = [ErrorDetail(UNKNOWN_CODE.format(what="plan", code=x["plan"]),
                                                           code="unknown")]
        more.append(onboarding.ExtraLine(msisdn=x["msisdn"], plan=plan))
    if errors:
        return None, errors
    data = OnboardingData(
        name=raw["name"], id_type=raw["id_type"], id_number=raw["id_number"], gender=raw["gender"],
        msisdn=raw["msisdn"], plan=found["plan"], region=found["region"], brand=found["brand"],
        acquiring_channel=found["acquiring_channel"], address=raw["address"], occupation=raw["occupation"],
        industry=raw["industry"], workplace=raw["workplace"], join_date=raw["join_date"],
        policy_explained=raw["policy_explained"],
        related_contacts=[ContactData(**c) for c in raw["related_contacts"]])
    return onboarding.OnboardingItem(data=data, more_lines=more), {}


def _details(errors: dict[str, list[DjangoValidationError]]) -> dict[str, list[ErrorDetail]]:
    return {name: [ErrorDetail(m, code=e.code or "invalid") for e in es for m in e.messages]
            for name, es in errors.items()}


@extend_schema(parameters=[IDEMPOTENCY_PARAMETER], request=BulkOnboardingSerializer,
               responses={201: BulkOnboardingResultSerializer, 200: BulkOnboardingResultSerializer})
class BulkOnboardingView(CollectorPausedView, ScopedAPIView):
    """Onboard up to 10,000 customers (and their lines) at once; all-or-nothing unless "partial": true."""

    permission_required = "customers.add_customer"

    def post(self, request):
        refuse_too_many(request)
        return idempotent(request, "customers.onboard/bulk", lambda: self._handle(request))

    def _handle(self, request):
        # the shape of every item (customers.bulk_validate: the item serializer's rules in plain Python, DRF's own
        # errors); the controls come next, per item
        good, shape_errors, options = bulk_validate.bulk_request_validate(BulkOnboardingSerializer, request.data)
        if shape_errors:
            raise ValidationError({"items": shape_errors})
        raw_items, partial = [data for _, data in good], options["partial"]
        codes = _codes(raw_items)
        errors, items, positions = {}, [], []
        for index, raw in enumerate(raw_items):
            item, found = _to_item(raw, codes)
            if found:
                errors[index] = found
            else:
                items.append(item)
                positions.append(index)
        if errors and not partial:  # every item's errors in one answer: the controls of the others too
            found = onboarding.onboarding_bulk_errors(items=items, by=request.user,
                                                      migration_reason=options["migration_reason"])
            errors |= {positions[i]: _details(e) for i, e in found.items()}
            raise ValidationError({"items": dict(sorted(errors.items()))})
        try:
            done = onboarding.customers_onboard_bulk(items=items, by=request.user, partial=partial,
                                                     migration_reason=options["migration_reason"])
        except onboarding.OnboardingRefused as refused:
            raise ValidationError({"items": {positions[i]: _details(e) for i, e in refused.errors.items()}}) \
                from refused
        errors |= {positions[i]: _details(e) for i, e in done.errors.items()}
        results = [{"index": positions[o.index], "customer": o.customer.pk, "msisdns": o.msisdns}
                   for o in done.onboarded]
        answer = {"onboarded": len(results), "failed": len(errors), "results": results,
                  "errors": [{"index": i, "errors": field_messages(e)} for i, e in sorted(errors.items())]}
        return Response(answer, status=status.HTTP_200_OK if partial else status.HTTP_201_CREATED)
