"""Actions on one line's arrears position: emergency continuity, exemption from barring, late-fee waiver."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from arrears import services
from arrears.api.views import UNKNOWN_LINE, lines_by_msisdn
from core.api.fields import DayField, MoneyField
from core.api.serializers import IntakeSerializer, MoneyIntakeSerializer
from core.api.viewsets import ScopedAPIView

# The field's outer bound; the barring policy's exemption_max_days (default 365) is checked by the service.
EXEMPTION_DAYS = 366


class LineActionView(ScopedAPIView):
    # POST an action on one of the caller's lines (404 outside the scope, whatever the body): the body checked
    # by `body_serializer`, then `act(line, data)` gives the 201's body: by default `service(line=, by=, **the
    # body's fields)` (a field the service names otherwise renamed by `arguments`), answered by `answer(line,
    # what the service returned)`. (A comment: a docstring would describe the actions in the schema.)

    body_serializer = None
    service = None
    arguments: dict = {}  # body field -> the service's argument

    def act(self, line, data) -> dict:
        fields = {self.arguments.get(k, k): v for k, v in data.items() if k != "currency"}
        return self.answer(line, type(self).service(line=line, by=self.request.user, **fields))

    def answer(self, line, result) -> dict:
        raise NotImplementedError

    def post(self, request, msisdn):
        line = lines_by_msisdn(request.user, [msisdn]).get(msisdn)
        if line is None:
            raise NotFound({"msisdn": UNKNOWN_LINE})
        body = self.body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.act(line, body.validated_data), status=status.HTTP_201_CREATED)


class EmergencyIn(IntakeSerializer):
    channel = serializers.ChoiceField(choices=["counter", "hotline", "app", "sms", "account_manager"])


class EmergencyOut(serializers.Serializer):
    msisdn = serializers.CharField(source="line.msisdn")
    valid_until = serializers.DateField()
    overdraft_cap = serializers.DecimalField(max_digits=12, decimal_places=2)
    policy_version = serializers.CharField()


@extend_schema(request=EmergencyIn, responses={201: EmergencyOut})
class EmergencyContinuityView(LineActionView):
    permission_required = "arrears.add_emergencypass"
    body_serializer = EmergencyIn

    def act(self, line, data):
        try:
            emergency = services.emergency_pass_grant(line=line, channel=data["channel"], by=self.request.user)
        except services.EmergencyRefused as exc:
            raise ValidationError({"rule": [serializers.ErrorDetail(str(exc), code=exc.rule)]}) from exc
        return EmergencyOut(emergency).data


class ExemptionIn(IntakeSerializer):
    valid_until = DayField(past_days=0, future_days=EXEMPTION_DAYS,
                           help_text="today or later, within the barring policy's exemption_max_days (default 365)")
    reason = serializers.CharField(max_length=200)


@extend_schema(request=ExemptionIn, responses={201: inline_serializer("ExemptionOut", {
    "msisdn": serializers.CharField(), "valid_until": serializers.DateField(), "reason": serializers.CharField()})})
class ExemptionView(LineActionView):
    permission_required = "arrears.add_exemption"
    body_serializer, service = ExemptionIn, services.line_exempt
    arguments = {"valid_until": "until"}

    def answer(self, line, exemption):
        return {"msisdn": line.msisdn, "valid_until": exemption.valid_until, "reason": exemption.reason}


class WaiverIn(MoneyIntakeSerializer):
    amount = MoneyField(operation="waiver")
    reason = serializers.CharField(max_length=200)


@extend_schema(request=WaiverIn, responses={201: inline_serializer("WaiverOut", {
    "msisdn": serializers.CharField(), "waived": serializers.DecimalField(max_digits=12, decimal_places=2),
    "balance": serializers.DecimalField(max_digits=12, decimal_places=2)})})
class LateFeeWaiverView(LineActionView):
    permission_required = "arrears.change_lineaccount"
    body_serializer, service = WaiverIn, services.late_fees_waive

    def answer(self, line, entry):
        line.account.refresh_from_db()
        return {"msisdn": line.msisdn, "waived": str(entry.amount), "balance": str(line.account.balance)}
