from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from core.api.permissions import ModelPermissions
from core.scope import customer_scope_q
from customers import services
from customers.api.serializers import (
    CustomerOnboardSerializer, CustomerSerializer, CustomerUpdateSerializer, LineSerializer, NumberChangeSerializer,
    PersonalDataSerializer,
)
from customers.choices import AccessChannel
from customers.filtersets import CustomerFilterSet
from customers.models import Customer, Line


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Customers in the caller's scope. Create runs the onboarding controls (ID, blacklist, callback)."""

    permission_classes = [ModelPermissions]
    filterset_class = CustomerFilterSet
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

    @extend_schema(responses={201: CustomerSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            customer = services.customer_onboard(data=serializer.to_onboarding_data(), by=request.user)
        except DjangoValidationError as e:
            raise ApiValidationError(as_serializer_error(e)) from e
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: CustomerSerializer})
    def partial_update(self, request, *args, **kwargs):
        super().partial_update(request, *args, **kwargs)
        return Response(CustomerSerializer(self.get_object()).data)

    @extend_schema(responses={200: PersonalDataSerializer})
    @action(detail=True, methods=["get"], url_path="personal-data")
    def personal_data(self, request, pk=None):
        """Unmasked ID number and address. Needs the personal-data permission; every call is logged."""
        customer = self.get_object()
        try:
            data = services.personal_data_reveal(user=request.user, customer=customer, channel=AccessChannel.API,
                                                 ip_address=request.META.get("REMOTE_ADDR"))
        except PermissionError as e:
            raise PermissionDenied(str(e)) from e
        return Response(PersonalDataSerializer(data).data)


class LineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [ModelPermissions]
    serializer_class = LineSerializer
    filterset_fields = ["customer", "msisdn", "status", "plan__code"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Line.objects.filter(customer_scope_q(self.request.user, prefix="customer__")).select_related("plan")

    @extend_schema(request=NumberChangeSerializer, responses={200: LineSerializer})
    @action(detail=True, methods=["post"], url_path="change-number")
    def change_number(self, request, pk=None):
        """Number change within the province: the customer keeps credit star and limit (credit portability)."""
        from credit.extended import line_number_change

        line = self.get_object()  # scope first: a line outside it is 404 whatever the body
        body = NumberChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            line = line_number_change(line=line, new_msisdn=body.validated_data["new_msisdn"], by=request.user)
        except DjangoValidationError as e:
            raise ApiValidationError(as_serializer_error(e)) from e
        return Response(LineSerializer(line).data)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "customer" in getattr(serializer, "fields", {}):
            # A line can only be opened for a customer the caller can see.
            serializer.fields["customer"].queryset = Customer.objects.visible_to(self.request.user)
        return serializer
