"""One JSON error shape for the whole API.

    {"detail": "Invalid input.", "errors": [{"field": "id_number", "code": "checksum", "message": "..."}]}
"""

from django.core.exceptions import ValidationError as DjangoValidationError
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


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "errors": list(_flatten(exc.detail))}
    return response
