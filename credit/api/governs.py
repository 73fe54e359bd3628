"""API of issue 14: the blacklist lifecycle, entitlements applied (SIM replacement, fees, verification methods,
rebates) and governed rating runs. Thin: the rules are in credit.blacklist / entitlements / runs / policies."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.fields import MoneyField
from core.api.serializers import IntakeSerializer, MoneyIntakeSerializer
from core.api.viewsets import ScopedAPIView
from credit import blacklist, entitlements, policies, runs
from credit.models import RebateClaim
from customers.models import Customer


def _customer(request, pk) -> Customer:
    customer = Customer.objects.visible_to(request.user).filter(pk=pk).first()
    if customer is None:
        raise NotFound(f"No customer {pk} in your scope.")
    return customer


class BlacklistEntrySerializer(MoneyIntakeSerializer):
    id = serializers.IntegerField(read_only=True)
    customer = serializers.IntegerField(source="customer_id")
    reason = serializers.CharField(max_length=200)
    evidence = serializers.CharField(max_length=300, required=False, allow_blank=True)
    amount_owed = MoneyField(operation="payment", minimum="0.00")
    amount_paid = MoneyField(operation="payment", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    cleared_at = serializers.DateTimeField(read_only=True)
    cleared_reason = serializers.CharField(read_only=True)


class ReasonSerializer(IntakeSerializer):
    reason = serializers.CharField(max_length=200)
    entry = serializers.IntegerField(required=False, help_text="one entry; default: all open entries")


class BlacklistView(ScopedAPIView):
    """Blacklist entries (credit officers): GET lists them (`status` open/cleared/all, `q` ID number or customer
    id); POST adds one — the customer's credit ends at once."""

    permission_required = blacklist.ADD_PERMISSION

    @extend_schema(parameters=[OpenApiParameter("status", enum=["open", "cleared", "all"]), OpenApiParameter("q")],
                   responses={200: BlacklistEntrySerializer(many=True)})
    def get(self, request):
        entries = blacklist.blacklist_list(status=request.query_params.get("status", "open"),
                                           query=request.query_params.get("q", ""))[:200]
        return Response(BlacklistEntrySerializer(entries, many=True).data)

    @extend_schema(request=BlacklistEntrySerializer, responses={201: BlacklistEntrySerializer})
    def post(self, request):
        body = BlacklistEntrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        entry = blacklist.blacklist_entry_add(customer=_customer(request, data["customer_id"]),
                                              reason=data["reason"], evidence=data.get("evidence", ""),
                                              amount_owed=data["amount_owed"], by=request.user)
        return Response(BlacklistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class BlacklistClearView(ScopedAPIView):
    """Clear the customer's open blacklist entries (or `entry`), with a reason (credit officers)."""

    permission_required = blacklist.CLEAR_PERMISSION

    @extend_schema(request=ReasonSerializer, responses={200: BlacklistEntrySerializer(many=True)})
    def post(self, request, pk):
        customer = _customer(request, pk)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cleared = blacklist.blacklist_entries_clear(customer=customer, reason=body.validated_data["reason"],
                                                    entry_id=body.validated_data.get("entry"), by=request.user)
        return Response(BlacklistEntrySerializer(cleared, many=True).data)


class ServiceTermsView(ScopedAPIView):
    """What a service costs this customer and which credentials it accepts, entitlements applied:
    `service` = sim_replacement, opening, international (fee and verification) or one of the 7 flexible-
    authentication services (verification only)."""

    permission_required = "customers.view_customer"

    @extend_schema(parameters=[OpenApiParameter("service", required=True)], responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        customer = _customer(request, pk)
        service = request.query_params.get("service", "")
        answer = {"customer": customer.pk, "star": customer.credit_star,
                  "verification": entitlements.verification_methods(customer=customer, service=service)}
        if service in policies.SERVICE_FEES:
            fee = entitlements.fee_quote(customer=customer, service=service)
            answer["fee"] = {"list_price": f"{fee.list_price:.2f}", "fee": f"{fee.fee:.2f}", "rule": fee.rule}
        return Response(answer)


class SimReplacementSerializer(IntakeSerializer):
    id = serializers.IntegerField(read_only=True)
    msisdn = serializers.CharField(max_length=11, required=False, write_only=True)
    channel = serializers.CharField(max_length=20)
    list_price = MoneyField(operation="payment", read_only=True)
    fee = MoneyField(operation="payment", read_only=True)
    rule = serializers.CharField(read_only=True)
    done_at = serializers.DateTimeField(read_only=True)


class CustomerEntitlementView(ScopedAPIView):
    """POST an entitlement for a customer in your scope (404 outside it, whatever the body): the body checked by
    `serializer`, `apply(customer, data)` records it, answered (201) by the same serializer."""

    permission_required = "customers.change_customer"
    serializer = None

    def apply(self, customer, data):
        raise NotImplementedError

    def post(self, request, pk):
        customer = _customer(request, pk)
        body = self.serializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.serializer(self.apply(customer, body.validated_data)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(request=SimReplacementSerializer, responses={201: SimReplacementSerializer})
class SimReplacementView(CustomerEntitlementView):
    """Record a SIM replacement for a customer in your scope; the fee applies the year's free quota by star."""

    serializer = SimReplacementSerializer

    def apply(self, customer, data):
        return entitlements.sim_replacement_record(customer=customer, channel=data["channel"],
                                                   msisdn=data.get("msisdn"), by=self.request.user)


class RebateSerializer(MoneyIntakeSerializer):
    id = serializers.IntegerField(read_only=True)
    msisdn = serializers.CharField(max_length=11, required=False, write_only=True)
    amount = MoneyField(operation="waiver")
    reason = serializers.CharField(max_length=200)
    status = serializers.CharField(read_only=True)
    paid_first = serializers.BooleanField(read_only=True)


@extend_schema(request=RebateSerializer, responses={201: RebateSerializer})
class RebateView(CustomerEntitlementView):
    """A rebate claim: 5★ are paid at once and verified after; others wait for verification."""

    serializer = RebateSerializer

    def apply(self, customer, data):
        return entitlements.rebate_request(customer=customer, amount=data["amount"], reason=data["reason"],
                                           msisdn=data.get("msisdn"), by=self.request.user)


class VerificationSerializer(IntakeSerializer):
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RebateVerifyView(ScopedAPIView):
    """Verify a rebate (credit officers): passed → paid; failed → recovered if it was paid first."""

    permission_required = policies.LIMIT_PERMISSION

    @extend_schema(request=VerificationSerializer, responses={200: RebateSerializer})
    def post(self, request, pk):
        claim = RebateClaim.objects.filter(pk=pk, customer__in=Customer.objects.visible_to(request.user)).first()
        if claim is None:
            raise NotFound(f"No rebate claim {pk} in your scope.")
        body = VerificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        claim = entitlements.rebate_verify(claim=claim, passed=body.validated_data["passed"],
                                           note=body.validated_data.get("note", ""), by=request.user)
        return Response(RebateSerializer(claim).data)


class RatingRunSerializer(IntakeSerializer):
    kind = serializers.ChoiceField(choices=["base", "guidance"])
    # a month (base) or a half-year (guidance): its own rules are credit.runs'; the pattern tells a client the shape
    period = serializers.RegexField(r"^[0-9]{4}-(0[1-9]|1[0-2]|H[12])$", max_length=10)
    supersede = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RatingRunView(ScopedAPIView):
    """Start a rating run (credit officers): the current or a past period only, once — a period that ran is a
    no-op (200, says so); `supersede` with a reason reverses the earlier run's changes first, then re-runs."""

    permission_required = policies.LIMIT_PERMISSION

    @extend_schema(request=RatingRunSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        body = RatingRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["supersede"]:
            result = runs.rating_run_supersede(kind=data["kind"], period=data["period"],
                                               reason=data.get("reason", ""), by=request.user)
        else:
            result = runs.rating_run_start(kind=data["kind"], period=data["period"])
        run = result.run
        return Response({"run": run.pk, "kind": run.kind, "period": run.period, "status": run.status,
                         "started": result.started, "message": result.message},
                        status=status.HTTP_201_CREATED if result.started else status.HTTP_200_OK)
