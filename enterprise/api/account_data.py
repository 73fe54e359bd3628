"""API for the account data the managers keep: key people, agreements, products held; account create and edit
(enterprise.api.views.EnterpriseAccountViewSet). Writes go through enterprise.account_data; reads are scoped."""

from decimal import Decimal

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from core.api.fields import DayField, MoneyField
from core.api.serializers import IntakeSerializer
from core.api.viewsets import ScopedReadOnlyViewSet
from core.masking import mask_phone
from core.models import Region
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


class CreateSchema(AutoSchema):
    # a create takes `create_serializer_class` and answers the object as read (`serializer_class`)
    def get_response_serializers(self):
        if getattr(self.view, "action", None) == "create":
            return {201: self.view.serializer_class}
        return super().get_response_serializers()


class CreateOnAccountsInScope:
    """A create names its account: the body's serializer (`create_serializer_class`) is given the accounts in
    the caller's scope to choose from; `create_service(<by_as>=the caller, **the body)` creates, and the answer
    is the object as read (`serializer_class`)."""

    create_serializer_class = create_service = None
    by_as = "by"
    schema = CreateSchema()

    def get_serializer_class(self):
        return self.create_serializer_class if self.action == "create" else super().get_serializer_class()

    def get_serializer(self, *args, **kwargs):
        if self.action == "create":
            kwargs["accounts"] = selectors.account_list(user=self.request.user)
        return super().get_serializer(*args, **kwargs)

    def create_object(self, data: dict):
        return type(self).create_service(**{self.by_as: self.request.user}, **data)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = self.create_object(dict(body.validated_data))
        return Response(self.serializer_class(obj).data, status=status.HTTP_201_CREATED)


class AccountDataViewSet(CreateOnAccountsInScope, ScopedReadOnlyViewSet):
    """Records of the accounts in the caller's scope; `?account=` for one group. Create with POST, change with
    PATCH (only the fields sent change); every change is in the account's history."""

    http_method_names = WRITE_METHODS
    model = patch_serializer_class = update_service = None
    updated_as = ""  # the change service's keyword for the record

    def get_queryset(self):
        qs = selectors.account_record_list(self.model, user=self.request.user).order_by("id")
        account = self.request.query_params.get("account")
        return qs.filter(account_id=account) if account and account.isdigit() else qs

    def get_serializer_class(self):
        return self.patch_serializer_class if self.action == "partial_update" else super().get_serializer_class()

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = type(self).update_service(**{self.updated_as: obj}, by=request.user, **body.validated_data)
        return Response(self.serializer_class(obj).data)


def record_viewset(model, read, write, patch, create_service, update_service, updated_as: str):
    """The viewset of one kind of account record: its model, serializers (read, create, change) and the
    account_data services that create and change one; the schema says which body each write takes."""
    viewset = type(f"{model.__name__}ViewSet", (AccountDataViewSet,), {
        "queryset": model.objects.none(), "model": model, "serializer_class": read, "create_serializer_class": write,
        "patch_serializer_class": patch, "create_service": create_service, "update_service": update_service,
        "updated_as": updated_as, "__module__": __name__})
    return extend_schema_view(create=extend_schema(request=write, responses={201: read}),
                              partial_update=extend_schema(request=patch, responses={200: read}))(viewset)


KeyPersonViewSet = record_viewset(KeyPerson, KeyPersonSerializer, KeyPersonWriteSerializer, KeyPersonPatchSerializer,
                                  account_data.key_person_create, account_data.key_person_update, "person")
AgreementViewSet = record_viewset(Agreement, AgreementSerializer, AgreementWriteSerializer, AgreementPatchSerializer,
                                  account_data.agreement_create, account_data.agreement_update, "agreement")
ProductViewSet = record_viewset(ProductHolding, ProductSerializer, ProductWriteSerializer, ProductPatchSerializer,
                                account_data.product_create, account_data.product_update, "holding")
