"""The bulk intake's one door shape (billing's payments, bills and usage; the operator inputs; onboarding): at most
MAX_BULK items, the whole request under collector_paused(), every item validated in plain Python with the item
serializer's rules, all-or-nothing unless "partial": true, and idempotent per request."""

from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from core.api.idempotency import idempotent
from core.api.serializers import bulk_serializer
from customers import bulk_validate
from customers.bulk_types import CollectorPausedView
from customers.onboarding import MAX_BULK


class TooManyItems(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_many_items"
    default_detail = f"A bulk request carries at most {MAX_BULK:,} items."


def refuse_too_many(request) -> None:
    """413 before anything is validated: a bulk request carries at most MAX_BULK items."""
    items = request.data.get("items") if isinstance(request.data, dict) else None
    if isinstance(items, list) and len(items) > MAX_BULK:
        raise TooManyItems()


class BulkPostView(CollectorPausedView):
    """`bulk_write(request, good, errors, partial) -> answer` writes the valid items set-based; `bulk_endpoint`
    names the request for idempotency. Mixed in before the single-item view, whose `item_serializer` it uses."""

    @property
    def bulk_endpoint(self) -> str:
        return f"{self.endpoint}/bulk"  # the single item's endpoint name, /bulk

    def bulk_write(self, request, good: list[tuple[int, dict]], errors: dict, partial: bool) -> dict:
        raise NotImplementedError

    def post(self, request):
        refuse_too_many(request)

        def handle():
            # every item checked with the item serializer's rules in plain Python (customers.bulk_validate: DRF's
            # own errors for any item that is not plainly valid); a bad body outside the items raises here
            good, errors, options = bulk_validate.bulk_request_validate(bulk_serializer(self.item_serializer),
                                                                        request.data)
            partial = options["partial"]
            if errors and not partial:
                raise ValidationError({"items": errors})
            answer = self.bulk_write(request, good, errors, partial)
            return Response(answer, status=status.HTTP_200_OK if partial else status.HTTP_201_CREATED)

        return idempotent(request, self.bulk_endpoint, handle)
