from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from enterprise import account_data, selectors, services
from enterprise.api.account_data import AccountPatchSerializer, AccountWriteSerializer, CreateOnAccountsInScope
from enterprise.api.serializers import (EnterpriseAccountDetailSerializer, EnterpriseAccountSerializer,
                                        InteractionCreateSerializer, InteractionSerializer, MemberSerializer,
                                        TaskCreateSerializer, TaskSerializer)
from enterprise.filtersets import (EnterpriseAccountFilterSet, InteractionFilterSet, MemberFilterSet,
                                   TaskFilterSet)
from enterprise.models import EnterpriseAccount, Interaction, ServiceDayOrder, Task


class EnterpriseAccountViewSet(ScopedReadOnlyViewSet):
    """Enterprise accounts in the caller's scope (the same filters as the page and the CSV export). Managers
    create accounts in their book (POST) and edit the profile (PATCH: only the fields sent change)."""

    filterset_class = EnterpriseAccountFilterSet
    queryset = EnterpriseAccount.objects.none()  # permissions read the model from here
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = selectors.account_list(user=self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("key_people__line", "agreements", "products")
        return qs

    def get_serializer_class(self):
        return {"create": AccountWriteSerializer, "partial_update": AccountPatchSerializer,
                "retrieve": EnterpriseAccountDetailSerializer}.get(self.action, EnterpriseAccountSerializer)

    def _detail(self, pk):
        return EnterpriseAccountDetailSerializer(self.get_queryset().prefetch_related(
            "key_people__line", "agreements", "products").get(pk=pk)).data

    @extend_schema(request=AccountWriteSerializer, responses={201: EnterpriseAccountDetailSerializer})
    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        account = account_data.account_create(by=request.user, **body.validated_data)
        return Response(self._detail(account.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=AccountPatchSerializer, responses={200: EnterpriseAccountDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        account = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        account_data.account_update(account=account, by=request.user, **body.validated_data)
        return Response(self._detail(account.pk))


class MemberViewSet(ScopedReadOnlyViewSet):
    """Member lines of the enterprise accounts in the caller's scope; `?account=` for one group."""

    # member lines are customers.Line rows, but reading them here is enterprise work
    permission_required = ["customers.view_line", "enterprise.view_enterpriseaccount"]
    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet

    def get_queryset(self):
        return selectors.member_list(user=self.request.user).select_related("plan").order_by("enterprise_id", "id")


class TaskViewSet(CreateOnAccountsInScope, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Tasks on the accounts in the caller's scope; leads assign new ones (create)."""

    filterset_class = TaskFilterSet
    queryset, selector = Task.objects.none(), selectors.task_list
    serializer_class, create_serializer_class = TaskSerializer, TaskCreateSerializer
    create_service, by_as = services.task_create, "assigned_by"


class InteractionViewSet(CreateOnAccountsInScope, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """The contact log of the accounts in the caller's scope (visit, call, message)."""

    filterset_class = InteractionFilterSet
    queryset, selector = Interaction.objects.none(), selectors.interaction_list
    serializer_class, create_serializer_class = InteractionSerializer, InteractionCreateSerializer
    create_service = services.interaction_log

    def create_object(self, data):
        day_id = data.pop("service_day")
        service_day = None
        if day_id is not None:
            service_day = ServiceDayOrder.objects.filter(pk=day_id, account=data["account"]).first()
            if service_day is None:
                raise ApiValidationError({"service_day": ["No such service day for this account."]})
        return super().create_object({**data, "service_day": service_day})
