"""API for the account data the managers keep: key people, agreements, products held; account create and edit
(enterprise.api.views.EnterpriseAccountViewSet). Writes go through enterprise.account_data; reads are scoped."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api.fields import DayField, MoneyField
from core.api.permissions import ModelPermissions
from core.api.serializers import IntakeSerializer
from core.masking import mask_phone
from core.models import Region
from core.scope import customer_scope_q
from enterprise import account_data, selectors
from enterprise.choices import KeyPersonRole, LegacyClass, Product, SizeBand
from enterprise.forms import manager_choices
from enterprise.models import Agreement, EnterpriseAccount, KeyPerson, ProductHolding

MAX_MONTHLY = "10000000.00"
PHONE = r"^[0-9+\- ]{5,20}$"
MSISDN = r"^1\d{10}$"
WRITE_METHODS = ["get", "post", "patch", "head", "options"]  # no PUT: a change names only what changes


class AgreementMoneyField(MoneyField):
    """Monthly values of group agreements and products: up to ¥10,000,000."""

    def __init__(self, **kwargs):
        super().__init__(operation="campaign", minimum="0.00", **kwargs)

    @property
    def maximum(self) -> Decimal:
        return Decimal(MAX_MONTHLY)


def _call(fn, **kwargs):
    from enterprise.api.views import _service_call

    return _service_call(fn, **kwargs)


# ---------------------------------------------------------------- accounts


class AccountWriteSerializer(IntakeSerializer):
    name = serializers.CharField(max_length=100)
    industry = serializers.CharField(max_length=50)
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), help_text="region code")
    size = serializers.ChoiceField(choices=SizeBand.choices, default=SizeBand.SMALL)
    headcount = serializers.IntegerField(min_value=0, max_value=10_000_000, default=0)
    customer_since = DayField(past_days=60 * 366, future_days=0, required=False, allow_null=True, default=None)
    competitors = serializers.ListField(child=serializers.CharField(max_length=30), max_length=10, default=list,
                                       help_text="operators already serving the group")
    legacy_class = serializers.ChoiceField(choices=LegacyClass.choices, default=LegacyClass.C)
    account_manager = serializers.PrimaryKeyRelatedField(
        queryset=manager_choices(), required=False, allow_null=True, default=None,
        help_text="user id; an account manager's accounts are their own, a lead's default to the lead")


class AccountPatchSerializer(AccountWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)
        del self.fields["account_manager"]  # changes hands only through reassignment


# ---------------------------------------------------------------- key people


class KeyPersonSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField(help_text="masked")
    line = serializers.SerializerMethodField(help_text="their own line with us, masked")

    class Meta:
        model = KeyPerson
        fields = ["id", "account", "role", "name", "title", "phone", "line", "vip_card_issued_on", "notes"]
        read_only_fields = fields

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)

    def get_line(self, obj) -> str | None:
        return mask_phone(obj.line.msisdn) if obj.line_id else None


class KeyPersonWriteSerializer(IntakeSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=EnterpriseAccount.objects.none())
    role = serializers.ChoiceField(choices=KeyPersonRole.choices)
    name = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    phone = serializers.RegexField(PHONE, required=False, default="", allow_blank=True)
    line_msisdn = serializers.RegexField(MSISDN, required=False, default="", allow_blank=True,
                                         help_text="their own line: a member of the group or a customer you serve")
    vip_card_issued_on = DayField(past_days=20 * 366, future_days=0, required=False, allow_null=True, default=None)
    notes = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts


class KeyPersonPatchSerializer(KeyPersonWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)
        del self.fields["account"]
        for field in self.fields.values():
            field.default = serializers.empty


# ---------------------------------------------------------------- agreements


class AgreementSerializer(serializers.ModelSerializer):
    monthly_value = AgreementMoneyField(read_only=True)
    state = serializers.SerializerMethodField(help_text="active, expiring, lapsed, renewed, ended")

    class Meta:
        model = Agreement
        fields = ["id", "account", "title", "signed_on", "expires_on", "monthly_value", "renews", "ended_on",
                  "end_reason", "state"]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        return account_data.agreement_states([obj])[obj.pk]


class AgreementWriteSerializer(IntakeSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=EnterpriseAccount.objects.none())
    title = serializers.CharField(max_length=100)
    signed_on = DayField(past_days=20 * 366, future_days=366)
    expires_on = DayField(past_days=20 * 366, future_days=10 * 366)
    monthly_value = AgreementMoneyField(required=False, default=Decimal("0.00"))
    renews = serializers.PrimaryKeyRelatedField(queryset=Agreement.objects.none(), required=False, allow_null=True,
                                                default=None, help_text="id of the agreement this one renews")

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts
            self.fields["renews"].queryset = Agreement.objects.filter(account__in=accounts)


class AgreementPatchSerializer(IntakeSerializer):
    title = serializers.CharField(max_length=100, required=False)
    signed_on = DayField(past_days=20 * 366, future_days=366, required=False)
    expires_on = DayField(past_days=20 * 366, future_days=10 * 366, required=False)
    monthly_value = AgreementMoneyField(required=False)
    ended_on = DayField(past_days=20 * 366, future_days=366, required=False, allow_null=True,
                        help_text="the agreement ended without renewal on this day (with end_reason)")
    end_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


# ---------------------------------------------------------------- products held


class ProductSerializer(serializers.ModelSerializer):
    monthly_revenue = AgreementMoneyField(read_only=True)

    class Meta:
        model = ProductHolding
        fields = ["id", "account", "product", "since", "monthly_revenue"]
        read_only_fields = fields


class ProductWriteSerializer(IntakeSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=EnterpriseAccount.objects.none())
    product = serializers.ChoiceField(choices=Product.choices)
    since = DayField(past_days=30 * 366, future_days=0)
    monthly_revenue = AgreementMoneyField(required=False, default=Decimal("0.00"))

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts


class ProductPatchSerializer(IntakeSerializer):
    since = DayField(past_days=30 * 366, future_days=0, required=False)
    monthly_revenue = AgreementMoneyField(required=False)


# ---------------------------------------------------------------- viewsets


class AccountDataViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Records of the accounts in the caller's scope; `?account=` for one group. Create with POST, change with
    PATCH (only the fields sent change); every change is in the account's history."""

    permission_classes = [ModelPermissions]
    http_method_names = WRITE_METHODS
    model = None
    read_serializer = write_serializer = patch_serializer = None

    def get_queryset(self):
        qs = self.model.objects.filter(customer_scope_q(self.request.user, prefix="account__")).order_by("id")
        account = self.request.query_params.get("account")
        return qs.filter(account_id=account) if account and account.isdigit() else qs

    def get_serializer_class(self):
        return {"create": self.write_serializer, "partial_update": self.patch_serializer}.get(
            self.action, self.read_serializer)

    def get_serializer(self, *args, **kwargs):
        if self.action == "create":
            kwargs["accounts"] = selectors.account_list(user=self.request.user)
        return super().get_serializer(*args, **kwargs)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = self.create_record(dict(body.validated_data))
        return Response(self.read_serializer(obj).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = self.update_record(obj, dict(body.validated_data))
        return Response(self.read_serializer(obj).data)


class KeyPersonViewSet(AccountDataViewSet):
    queryset = KeyPerson.objects.none()
    model = KeyPerson
    read_serializer, write_serializer, patch_serializer = (KeyPersonSerializer, KeyPersonWriteSerializer,
                                                           KeyPersonPatchSerializer)

    @extend_schema(request=KeyPersonWriteSerializer, responses={201: KeyPersonSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=KeyPersonPatchSerializer, responses={200: KeyPersonSerializer})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def create_record(self, data):
        return _call(account_data.key_person_create, by=self.request.user, **data)

    def update_record(self, obj, data):
        return _call(account_data.key_person_update, person=obj, by=self.request.user, **data)


class AgreementViewSet(AccountDataViewSet):
    queryset = Agreement.objects.none()
    model = Agreement
    read_serializer, write_serializer, patch_serializer = (AgreementSerializer, AgreementWriteSerializer,
                                                           AgreementPatchSerializer)

    @extend_schema(request=AgreementWriteSerializer, responses={201: AgreementSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=AgreementPatchSerializer, responses={200: AgreementSerializer})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def create_record(self, data):
        return _call(account_data.agreement_create, by=self.request.user, **data)

    def update_record(self, obj, data):
        return _call(account_data.agreement_update, agreement=obj, by=self.request.user, **data)


class ProductViewSet(AccountDataViewSet):
    queryset = ProductHolding.objects.none()
    model = ProductHolding
    read_serializer, write_serializer, patch_serializer = (ProductSerializer, ProductWriteSerializer,
                                                           ProductPatchSerializer)

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=ProductPatchSerializer, responses={200: ProductSerializer})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def create_record(self, data):
        return _call(account_data.product_create, by=self.request.user, **data)

    def update_record(self, obj, data):
        return _call(account_data.product_update, holding=obj, by=self.request.user, **data)
