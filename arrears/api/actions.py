"""Actions on one line's arrears position: emergency continuity, exemption from barring, late-fee waiver."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from arrears import services
from arrears.api.views import UNKNOWN_LINE, lines_by_msisdn, needs
from core.api.fields import DayField, MoneyField
from core.api.serializers import IntakeSerializer, MoneyIntakeSerializer

# The field's outer bound; the barring policy's exemption_max_days (default 365) is checked by the service.
EXEMPTION_DAYS = 366


def _line(request, msisdn):
    line = lines_by_msisdn(request.user, [msisdn]).get(msisdn)
    if line is None:
        raise NotFound({"msisdn": UNKNOWN_LINE})
    return line


class EmergencyIn(IntakeSerializer):
    channel = serializers.ChoiceField(choices=["counter", "hotline", "app", "sms", "account_manager"])


class EmergencyOut(serializers.Serializer):
    msisdn = serializers.CharField(source="line.msisdn")
    valid_until = serializers.DateField()
    overdraft_cap = serializers.DecimalField(max_digits=12, decimal_places=2)
    policy_version = serializers.CharField()


class EmergencyContinuityView(APIView):
    permission_classes = [needs("arrears.add_emergencypass")]

    @extend_schema(request=EmergencyIn, responses={201: EmergencyOut})
    def post(self, request, msisdn):
        line = _line(request, msisdn)
        body = EmergencyIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            emergency = services.grant_emergency_pass(line=line, channel=body.validated_data["channel"],
                                                      by=request.user)
        except services.EmergencyRefused as exc:
            raise ValidationError({"rule": [serializers.ErrorDetail(str(exc), code=exc.rule)]}) from exc
        return Response(EmergencyOut(emergency).data, status=status.HTTP_201_CREATED)


class ExemptionIn(IntakeSerializer):
    valid_until = DayField(past_days=0, future_days=EXEMPTION_DAYS,
                           help_text="today or later, within the barring policy's exemption_max_days (default 365)")
    reason = serializers.CharField(max_length=200)


class ExemptionView(APIView):
    permission_classes = [needs("arrears.add_exemption")]

    @extend_schema(request=ExemptionIn, responses={201: inline_serializer("ExemptionOut", {
        "msisdn": serializers.CharField(), "valid_until": serializers.DateField(), "reason": serializers.CharField()})})
    def post(self, request, msisdn):
        line = _line(request, msisdn)
        body = ExemptionIn(data=request.data)
        body.is_valid(raise_exception=True)
        exemption = services.exempt_line(line=line, until=body.validated_data["valid_until"],
                                         reason=body.validated_data["reason"], by=request.user)
        return Response({"msisdn": line.msisdn, "valid_until": exemption.valid_until, "reason": exemption.reason},
                        status=status.HTTP_201_CREATED)


class WaiverIn(MoneyIntakeSerializer):
    amount = MoneyField(operation="waiver")
    reason = serializers.CharField(max_length=200)


class LateFeeWaiverView(APIView):
    permission_classes = [needs("arrears.change_lineaccount")]

    @extend_schema(request=WaiverIn, responses={201: inline_serializer("WaiverOut", {
        "msisdn": serializers.CharField(), "waived": serializers.DecimalField(max_digits=12, decimal_places=2),
        "balance": serializers.DecimalField(max_digits=12, decimal_places=2)})})
    def post(self, request, msisdn):
        line = _line(request, msisdn)
        body = WaiverIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            entry = services.waive_late_fees(line=line, amount=body.validated_data["amount"],
                                             reason=body.validated_data["reason"], by=request.user)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        line.account.refresh_from_db()
        return Response({"msisdn": line.msisdn, "waived": str(entry.amount), "balance": str(line.account.balance)},
                        status=status.HTTP_201_CREATED)
