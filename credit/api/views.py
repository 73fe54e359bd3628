from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core.api.viewsets import ScopedAPIView, ScopedReadOnlyViewSet
from core.scope import customer_scope_q
from credit import extended, four_eyes, selectors, services
from credit.api.serializers import (
    BulkCreditStatusRequestSerializer, BulkCreditStatusSerializer, CreditStatusSerializer, ExtendedRequestSerializer,
    FourEyesDecisionSerializer, FourEyesRequestSerializer, LimitChangeSerializer, RatingSerializer,
)
from credit.choices import FourEyesStatus
from credit.models import FourEyesRequest
from credit.policies import LIMIT_PERMISSION
from customers import policies as customer_policies
from customers.models import Customer, Line


def scoped_lines(user):
    return Line.objects.filter(customer_scope_q(user, prefix="customer__"))


class CreditStatusView(ScopedAPIView):
    """Credit status of one line: star, limit, balance, usable credit and entitlements."""

    permission_required = "customers.view_customer"

    @extend_schema(responses={200: CreditStatusSerializer})
    def get(self, request, msisdn):
        if not customer_policies.MSISDN_PATTERN.match(msisdn):
            raise ApiValidationError({"msisdn": [f"Not a mobile number: {msisdn!r}."]})
        rows = selectors.line_credit_status(scoped_lines(request.user).filter(msisdn=msisdn))
        if not rows:
            raise NotFound(f"No line {msisdn} in your scope.")
        return Response(CreditStatusSerializer(rows[0]).data)


class BulkCreditStatusView(ScopedAPIView):
    """Credit status of up to 1,000 lines in one call; unknown or out-of-scope numbers are listed."""

    permission_required = "customers.view_customer"

    @extend_schema(request=BulkCreditStatusRequestSerializer, responses={200: BulkCreditStatusSerializer})
    def post(self, request):
        body = BulkCreditStatusRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = body.validated_data["msisdns"]
        rows = selectors.line_credit_status(scoped_lines(request.user).filter(msisdn__in=wanted))
        found = {r["msisdn"] for r in rows}
        data = {"results": rows, "not_found": [m for m in wanted if m not in found]}
        return Response(BulkCreditStatusSerializer(data).data, status=status.HTTP_200_OK)


class ExtendedRequestView(ScopedAPIView):
    """Ask for an extended credit service for a customer in your scope (the receiving line too).

    201 with the grant; a refusal is a 400 naming the rule (`errors[0].code`) and the field, and writes nothing.
    A credit transfer moves limits: only credit officers, and both limits stay in range."""

    permission_required = "customers.view_customer"

    @extend_schema(request=ExtendedRequestSerializer, responses={201: ExtendedRequestSerializer})
    def post(self, request):
        body = ExtendedRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        giver = Customer.objects.visible_to(request.user).filter(pk=data["giver_id"]).first()
        if giver is None:
            raise NotFound(f"No customer {data['giver_id']} in your scope.")
        result = extended.extended_service_request(
            service=data["service"], giver=giver, receiver_msisdn=data["receiver_msisdn"], amount=data["amount"],
            channel=data["channel"], by=request.user, giver_msisdn=data.get("giver_msisdn"))
        return Response(ExtendedRequestSerializer(result).data, status=status.HTTP_201_CREATED)


class LimitChangeView(ScopedAPIView):
    """Manual credit-limit change by a credit officer. Inside the star's range: applied (201, the rating).
    Outside it (up to the ceiling): a four-eyes request a second credit officer decides (202, the request)."""

    permission_required = LIMIT_PERMISSION
    permission_denied_message = "Only credit officers change limits."

    @extend_schema(request=LimitChangeSerializer, responses={201: RatingSerializer, 202: FourEyesRequestSerializer})
    def post(self, request, pk):
        customer = Customer.objects.visible_to(request.user).filter(pk=pk).first()
        if customer is None:
            raise NotFound(f"No customer {pk} in your scope.")
        body = LimitChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.credit_limit_change(customer=customer, amount=body.validated_data["amount"],
                                              reason=body.validated_data["reason"], by=request.user)
        if isinstance(result, FourEyesRequest):
            return Response(FourEyesRequestSerializer(result).data, status=status.HTTP_202_ACCEPTED)
        return Response(RatingSerializer(result).data, status=status.HTTP_201_CREATED)


class FourEyesRequestViewSet(ScopedReadOnlyViewSet):
    """Four-eyes requests the caller may decide (`status`: pending by default, or approved, rejected, expired).
    `approve` / `reject` (reason required) are the second officer's, never the requester's."""

    permission_required = "credit.view_foureyesrequest"  # deciding also needs the kind's: checked by the service
    serializer_class = FourEyesRequestSerializer

    def get_queryset(self):
        wanted = self.request.query_params.get("status", FourEyesStatus.PENDING) if self.action == "list" else None
        return selectors.four_eyes_list(user=self.request.user, status=wanted)

    @extend_schema(parameters=[OpenApiParameter("status", enum=FourEyesStatus.values)])
    def list(self, request, *args, **kwargs):
        if request.query_params.get("status", FourEyesStatus.PENDING) not in FourEyesStatus.values:
            raise ApiValidationError({"status": [f"One of {', '.join(FourEyesStatus.values)}."]})
        return super().list(request, *args, **kwargs)

    def _decide(self, request, decide):
        body = FourEyesDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = decide(request=self.get_object(), by=request.user, reason=body.validated_data["reason"])
        return Response(FourEyesRequestSerializer(result).data)

    @extend_schema(request=FourEyesDecisionSerializer, responses={200: FourEyesRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: the change applies now (a limit through the rating history, approved_by = you)."""
        return self._decide(request, four_eyes.four_eyes_approve)

    @extend_schema(request=FourEyesDecisionSerializer, responses={200: FourEyesRequestSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject with a reason; nothing applies."""
        return self._decide(request, four_eyes.four_eyes_reject)

