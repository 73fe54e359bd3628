"""One JSON error shape for the whole API.

    {"detail": "Invalid input.", "errors": [{"field": "id_number", "code": "checksum", "message": "..."}]}
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views import defaults
from django_guid import get_guid
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail, prefix=""):
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():  # list items keyed by index
                yield from _flatten(value, f"{prefix}[{key}]")
                continue
            name = key if key != "non_field_errors" else "__all__"
            yield from _flatten(value, f"{prefix}.{name}" if prefix else name)
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                yield from _flatten(value, f"{prefix}[{i}]")
            else:
                yield from _flatten(value, prefix)
    else:
        yield {"field": prefix or "__all__", "code": getattr(detail, "code", "invalid"), "message": str(detail)}


def field_messages(detail) -> dict[str, list[str]]:
    """{"sp_charges[0].amount": [message, ...]}: a (nested) error detail flattened to field paths, as the
    error list names them (a bulk answer reports each item's errors so)."""
    messages: dict[str, list[str]] = {}
    for error in _flatten(detail):
        messages.setdefault(error["field"], []).append(error["message"])
    return messages


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "errors": list(_flatten(exc.detail))}
    elif response is not None and isinstance(exc, exceptions.APIException) and not (
            isinstance(response.data, dict) and set(response.data) <= {"detail", "code", "errors"}):
        # an error raised with field details (a 404 naming the msisdn): the same shape, the fields in `errors`
        errors = list(_flatten(exc.detail))
        response.data = {"detail": errors[0]["message"] if errors else str(exc), "errors": errors}
    return response


# ---------------------------------------------------------------- Django's error views, JSON under /api/
# Errors raised outside a DRF view (an unknown address, a body too large or with too many fields, a crash) reach
# Django's handlers; API clients get the same JSON shape as every other error, pages keep Django's views.

TOO_LARGE = "The request body is larger than {limit:,} bytes."
TOO_MANY_FIELDS = "The request has more than {limit:,} fields."
BAD_REQUEST = "The request could not be read."
NOT_FOUND = "Nothing at this address."
FORBIDDEN = "You may not do this."
SERVER_ERROR = "Something went wrong on our side; if it was a write, check before retrying. Request id: {request_id}."


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, field: str = "__all__"):
    return JsonResponse({"detail": message, "code": code, "errors": [{"field": field, "code": code,
                                                                      "message": message}]}, status=status)


def bad_request(request, exception=None):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return error_response(413, "too_large", TOO_LARGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    if isinstance(exception, TooManyFieldsSent):
        return error_response(400, "too_many_fields",
                              TOO_MANY_FIELDS.format(limit=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS))
    return error_response(400, "bad_request", BAD_REQUEST)


def permission_denied(request, exception=None):
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return error_response(403, "permission_denied", FORBIDDEN)


def page_not_found(request, exception=None):
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return error_response(404, "not_found", NOT_FOUND)


def server_error(request):
    if not _is_api(request):
        return defaults.server_error(request)
    return error_response(500, "server_error", SERVER_ERROR.format(request_id=get_guid() or "-"))
