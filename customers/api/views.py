from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.idempotency import HEADER, idempotent
from core.api.viewsets import ScopedViewSet
from core.scope import customer_scope_q
from customers import services
from customers.api.serializers import (
    CustomerOnboardSerializer, CustomerSerializer, CustomerUpdateSerializer, LineOpenSerializer, LineSerializer,
    NumberChangeSerializer, PersonalDataSerializer, RevealRequestSerializer,
)
from customers.choices import AccessChannel
from customers.filtersets import CustomerFilterSet
from customers.models import Customer, Line

IDEMPOTENCY_PARAMETER = OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=False,
                                         description="Optional: a retry with the same key and body gets the first "
                                                     "answer instead of opening twice")
# A service's ValidationError needs no catching here: core.api.errors answers it as the 400 naming the fields.


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, ScopedViewSet):
    """Customers in the caller's scope. Create runs the onboarding controls (ID, blacklist, callback)."""

    filterset_class = CustomerFilterSet
    # the reveal is POSTed to carry its purpose, yet reads: the view permission, and the personal-data one
    permission_required = {"personal_data": ["customers.view_customer", "customers.view_personal_data"]}
    permission_denied_message = {"personal_data": str(services.ERR_NO_PERMISSION)}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (Customer.objects.visible_to(self.request.user)
                .select_related("region", "brand").prefetch_related("lines"))

    def get_serializer_class(self):
        if self.action == "create":
            return CustomerOnboardSerializer
        if self.action in {"update", "partial_update"}:
            return CustomerUpdateSerializer
        return CustomerSerializer

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER], responses={201: CustomerSerializer})
    def create(self, request, *args, **kwargs):
        def handle():
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            customer = services.customer_onboard(data=serializer.to_onboarding_data(), by=request.user)
            return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

        return idempotent(request, "customers.onboard", handle, required=False)

    @extend_schema(responses={200: CustomerSerializer})
    def partial_update(self, request, *args, **kwargs):
        customer = self.get_object()
        body = CustomerUpdateSerializer(customer, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        customer = services.customer_update(customer=customer, by=request.user, changes=body.validated_data)
        return Response(CustomerSerializer(self.get_queryset().get(pk=customer.pk)).data)

    @extend_schema(request=RevealRequestSerializer, responses={200: PersonalDataSerializer})
    @action(detail=True, methods=["post"], url_path="personal-data")
    def personal_data(self, request, pk=None):
        """Unmasked ID number and address, for a stated purpose. Needs the personal-data permission; every call
        is logged with its purpose."""
        customer = self.get_object()
        body = RevealRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = services.personal_data_reveal(user=request.user, customer=customer, channel=AccessChannel.API,
                                             ip_address=request.META.get("REMOTE_ADDR"), **body.validated_data)
        return Response(PersonalDataSerializer(data).data)


class LineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, ScopedViewSet):
    serializer_class = LineSerializer
    filterset_fields = ["customer", "msisdn", "status", "plan__code"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Line.objects.filter(customer_scope_q(self.request.user, prefix="customer__")).select_related("plan")

    @extend_schema(request=LineOpenSerializer, parameters=[IDEMPOTENCY_PARAMETER], responses={201: LineSerializer})
    def create(self, request, *args, **kwargs):
        """Open another line for a customer in scope, under the onboarding controls."""
        def handle():
            body = LineOpenSerializer(data=request.data, customers=Customer.objects.visible_to(request.user))
            body.is_valid(raise_exception=True)
            line = services.line_open(by=request.user, **body.validated_data)
            return Response(LineSerializer(line).data, status=status.HTTP_201_CREATED)

        return idempotent(request, "customers.line_open", handle, required=False)

    @extend_schema(request=NumberChangeSerializer, responses={200: LineSerializer})
    @action(detail=True, methods=["post"], url_path="change-number")
    def change_number(self, request, pk=None):
        """Number change within the province: the customer keeps credit star and limit (credit portability)."""
        line = self.get_object()  # scope first: a line outside it is 404 whatever the body
        body = NumberChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = services.line_number_change(line=line, new_msisdn=body.validated_data["new_msisdn"], by=request.user)
        return Response(LineSerializer(line).data)
