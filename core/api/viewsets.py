"""Generic API views: the queryset from the app's selector, the list page's filterset, one permission
mechanism (core.api.permissions.ScopedPermission). A service's Django ValidationError needs no catching in a
view: core.api.errors answers it as the 400 naming the fields."""

from rest_framework import mixins, viewsets
from rest_framework.views import APIView

from core.api.permissions import ScopedPermission


class ScopedAPIView(APIView):
    # permissions: `permission_required` (or the model's, for its queryset); no docstring: the schema would
    # describe every view without its own by this one
    permission_classes = [ScopedPermission]


class ScopedViewSet(viewsets.GenericViewSet):
    # A viewset over what the user may see: `selector(*, user)` gives the queryset (a class attribute, never
    # bound), `filterset_class` filters it, `permission_required` (or the model's permissions) guards it. Add the
    # mixins for the actions it answers (`ScopedReadOnlyViewSet` for list and retrieve). Comments, not a
    # docstring: the schema would describe every viewset without its own by this text.

    permission_classes = [ScopedPermission]
    selector = None

    def get_queryset(self):
        return type(self).selector(user=self.request.user)


class ScopedReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    pass
