from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.permissions import ModelPermissions
from retention import selectors, services
from retention.api.serializers import AlertTransitionSerializer, RetentionAlertSerializer
from retention.filtersets import RetentionAlertFilterSet


class RetentionAlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Retention alerts in the caller's scope; `transition` moves one along its lifecycle."""

    permission_classes = [ModelPermissions]
    serializer_class = RetentionAlertSerializer
    filterset_class = RetentionAlertFilterSet

    def get_permissions(self):
        if self.action == "transition":  # a POST that changes, not adds: checked in the action after scoping
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.alert_list(user=self.request.user).prefetch_related("events__by")

    @extend_schema(request=AlertTransitionSerializer, responses={200: RetentionAlertSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the alert to another status (open → contacted → offer_made → retained / churned / dismissed)."""
        alert = self.get_object()
        if not request.user.has_perm("retention.change_retentionalert"):
            raise PermissionDenied("You may not change alerts.")
        body = AlertTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.alert_transition(alert=alert, by=request.user, **body.validated_data)
        return Response(RetentionAlertSerializer(self.get_queryset().get(pk=alert.pk)).data)
