from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from core.scope import customer_scope_q
from credit import extended, selectors
from credit.api.serializers import (
    BulkCreditStatusRequestSerializer, BulkCreditStatusSerializer, CreditStatusSerializer, ExtendedRequestSerializer,
)
from customers import policies as customer_policies
from customers.models import Customer, Line


class CustomerViewPermission(IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.has_perm("customers.view_customer")


def scoped_lines(user):
    return Line.objects.filter(customer_scope_q(user, prefix="customer__"))


class CreditStatusView(APIView):
    """Credit status of one line: star, limit, balance, usable credit and entitlements."""

    permission_classes = [CustomerViewPermission]

    @extend_schema(responses={200: CreditStatusSerializer})
    def get(self, request, msisdn):
        if not customer_policies.MSISDN_PATTERN.match(msisdn):
            raise ApiValidationError({"msisdn": [f"Not a mobile number: {msisdn!r}."]})
        rows = selectors.line_credit_status(scoped_lines(request.user).filter(msisdn=msisdn))
        if not rows:
            raise NotFound(f"No line {msisdn} in your scope.")
        return Response(CreditStatusSerializer(rows[0]).data)


class BulkCreditStatusView(APIView):
    """Credit status of up to 1,000 lines in one call; unknown or out-of-scope numbers are listed."""

    permission_classes = [CustomerViewPermission]

    @extend_schema(request=BulkCreditStatusRequestSerializer, responses={200: BulkCreditStatusSerializer})
    def post(self, request):
        body = BulkCreditStatusRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = body.validated_data["msisdns"]
        rows = selectors.line_credit_status(scoped_lines(request.user).filter(msisdn__in=wanted))
        found = {r["msisdn"] for r in rows}
        data = {"results": rows, "not_found": [m for m in wanted if m not in found]}
        return Response(BulkCreditStatusSerializer(data).data, status=status.HTTP_200_OK)


class ExtendedRequestView(APIView):
    """Ask for an extended credit service for a customer in your scope. 201 with status approved or refused."""

    permission_classes = [CustomerViewPermission]

    @extend_schema(request=ExtendedRequestSerializer, responses={201: ExtendedRequestSerializer})
    def post(self, request):
        body = ExtendedRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        giver = Customer.objects.visible_to(request.user).filter(pk=data["giver_id"]).first()
        if giver is None:
            raise NotFound(f"No customer {data['giver_id']} in your scope.")
        try:
            result = extended.extended_service_request(
                service=data["service"], giver=giver, receiver_msisdn=data["receiver_msisdn"], amount=data["amount"],
                channel=data["channel"], by=request.user)
        except DjangoValidationError as e:
            raise ApiValidationError(as_serializer_error(e)) from e
        return Response(ExtendedRequestSerializer(result).data, status=status.HTTP_201_CREATED)
