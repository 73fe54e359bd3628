from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from retention import selectors, services
from retention.api.serializers import AlertTransitionSerializer, RetentionAlertSerializer
from retention.filtersets import RetentionAlertFilterSet


class RetentionAlertViewSet(ScopedReadOnlyViewSet):
    """Retention alerts in the caller's scope; `transition` moves one along its lifecycle."""

    serializer_class = RetentionAlertSerializer
    filterset_class = RetentionAlertFilterSet
    # a POST that changes, not adds: checked once the alert is found in scope (404 outside it comes first)
    permission_required = {"transition": []}
    object_permission_required = {"transition": "retention.change_retentionalert"}
    permission_denied_message = {"transition": "You may not change alerts."}

    def get_queryset(self):
        return selectors.alert_list(user=self.request.user).prefetch_related("events__by")

    @extend_schema(request=AlertTransitionSerializer, responses={200: RetentionAlertSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the alert to another status (open → contacted → offer_made → retained / churned / dismissed)."""
        alert = self.get_object()
        body = AlertTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.alert_transition(alert=alert, by=request.user, **body.validated_data)
        return Response(RetentionAlertSerializer(self.get_queryset().get(pk=alert.pk)).data)
