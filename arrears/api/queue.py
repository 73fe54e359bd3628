"""The collection queue over the API: the page's filterset (region, star, amount, age, number, order) on the
caller's scope, capped-count pages like every list."""

from django.utils import timezone
from rest_framework import mixins, serializers

from arrears import selectors
from arrears.filtersets import CollectionQueueFilterSet
from arrears.models import LineAccount
from core.api.viewsets import ScopedViewSet


class QueueItemSerializer(serializers.ModelSerializer):
    msisdn = serializers.CharField(source="line.msisdn")
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")
    region = serializers.CharField(source="customer.region.code")
    credit_star = serializers.IntegerField(source="customer.credit_star", allow_null=True)
    owed = serializers.SerializerMethodField()
    days_in_arrears = serializers.SerializerMethodField()
    case_status = serializers.SerializerMethodField()

    class Meta:
        model = LineAccount
        fields = ["line", "msisdn", "customer", "customer_name", "region", "credit_star", "state", "owed",
                  "arrears_since", "days_in_arrears", "case_status"]

    def get_owed(self, account) -> str:
        return str(-account.balance)

    def get_days_in_arrears(self, account) -> int:
        return (timezone.localdate() - account.arrears_since).days

    def get_case_status(self, account) -> str | None:
        case = getattr(account.line, "collection_case", None)
        return case.status if case else None


class CollectionQueueViewSet(mixins.ListModelMixin, ScopedViewSet):
    # The collection queue in the caller's scope: the list page's filters and orders (same parameter names).
    permission_required = "arrears.view_collectioncase"
    selector = selectors.collection_queue
    filterset_class = CollectionQueueFilterSet
    serializer_class = QueueItemSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("customer__region")
