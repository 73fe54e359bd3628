"""POST /api/customers/bulk/: onboarding of up to 10,000 customers (each with their first line) under an
Idempotency-Key, through the set-based `customers_onboard_bulk`. All-or-nothing by default; with
"partial": true the good items are opened and the bad ones reported with their index (as billing's bulk posts)."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import field_messages
from core.api.idempotency import HEADER, idempotent
from core.api.permissions import ModelPermissions
from core.models import Region
from customers.api.serializers import CustomerOnboardSerializer
from customers.models import Brand, Channel, Customer, Plan
from customers.onboarding_bulk import customers_onboard_bulk
from customers.services import ContactData, OnboardingData

MAX_BULK = 10_000
REFERENCES = {"region": Region, "brand": Brand, "plan": Plan, "acquiring_channel": Channel}
UNKNOWN = "No {field} with code {code!r}."


class TooManyItems(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_many_items"
    default_detail = f"A bulk request carries at most {MAX_BULK:,} items."


class OnboardItemSerializer(CustomerOnboardSerializer):
    """One customer of a bulk onboarding: the reference codes are resolved for the whole batch at once."""

    region = serializers.SlugField(max_length=30)
    brand = serializers.SlugField(max_length=20)
    plan = serializers.SlugField(max_length=30)
    acquiring_channel = serializers.SlugField(max_length=30)


class BulkOnboardSerializer(serializers.Serializer):
    items = OnboardItemSerializer(many=True, allow_empty=False)
    partial = serializers.BooleanField(default=False, help_text="false (default): one bad item opens nothing")


class OnboardResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.IntegerField()
    msisdn = serializers.CharField()
    join_date = serializers.DateField()


class BulkOnboardResultSerializer(serializers.Serializer):
    posted = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = OnboardResultSerializer(many=True)
    errors = serializers.ListField(child=serializers.DictField())


class BulkPermission(ModelPermissions):
    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.has_perm("customers.add_customer")


@extend_schema(parameters=[OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=True)],
               request=BulkOnboardSerializer, responses={201: BulkOnboardResultSerializer,
                                                         200: BulkOnboardResultSerializer})
class BulkOnboardView(APIView):
    permission_classes = [BulkPermission]
    queryset = Customer.objects.none()

    def post(self, request):
        items = request.data.get("items") if isinstance(request.data, dict) else None
        if isinstance(items, list) and len(items) > MAX_BULK:
            raise TooManyItems()

        def handle():
            body = BulkOnboardSerializer(data=request.data)
            partial = isinstance(request.data, dict) and str(request.data.get("partial", "")).lower() in {"true", "1"}
            valid = body.is_valid()
            item_errors = body.errors.get("items") if not valid and set(body.errors) == {"items"} else None
            if not valid and not (partial and isinstance(item_errors, list)):
                raise ValidationError(body.errors)
            return Response(self._onboard(request, body, partial),
                            status=status.HTTP_200_OK if partial else status.HTTP_201_CREATED)

        return idempotent(request, "customers.onboard_bulk", handle)

    def _onboard(self, request, body, partial: bool) -> dict:
        errors, good = {}, []
        if body.errors:
            for index, (raw, found) in enumerate(zip(request.data["items"], body.errors["items"], strict=True)):
                if found:
                    errors[index] = found
                else:
                    item = OnboardItemSerializer(data=raw)
                    item.is_valid(raise_exception=True)
                    good.append((index, dict(item.validated_data)))
        else:
            good = [(index, dict(data)) for index, data in enumerate(body.validated_data["items"])]
        known = {name: model.objects.in_bulk({d[name] for _, d in good}, field_name="code")
                 for name, model in REFERENCES.items()}
        entries, indexes = [], []
        for index, data in good:
            missing = {name: [UNKNOWN.format(field=name, code=data[name])] for name in REFERENCES
                       if data[name] not in known[name]}
            if missing:
                errors[index] = missing
                continue
            data.update({name: known[name][data[name]] for name in REFERENCES})
            data["related_contacts"] = [ContactData(**c) for c in data.get("related_contacts", [])]
            entries.append(OnboardingData(**data))
            indexes.append(index)
        if errors and not partial:
            raise ValidationError({"items": {i: e for i, e in sorted(errors.items())}})
        with transaction.atomic():
            outcome = customers_onboard_bulk(items=entries, by=request.user, partial=partial)
            for pos, found in outcome.errors.items():
                errors[indexes[pos]] = found
            if errors and not partial:
                transaction.set_rollback(True)
                raise ValidationError({"items": {i: e for i, e in sorted(errors.items())}})
        results = [{"index": indexes[pos], "id": c.pk, "msisdn": entries[pos].msisdn, "join_date": c.join_date}
                   for pos, c in sorted(outcome.results.items())]
        return {"posted": len(results), "failed": len(errors), "results": results,
                "errors": [{"index": i, "errors": field_messages(e)} for i, e in sorted(errors.items())]}
