"""Base serializers for what comes in from outside."""

import functools
from collections.abc import Mapping

from rest_framework import serializers

from core.api.fields import CurrencyField

UNKNOWN_FIELD = "Unknown field {name!r}: this operation takes {known}."
# Keys the framework itself adds to form posts (the browsable API's CSRF token).
FRAMEWORK_KEYS = {"csrfmiddlewaretoken"}


# (Comments, not docstrings, on these bases: drf-spectacular would show a base's docstring as the description of
# every serializer built on it.)

class RejectUnknownFields:
    # A key the serializer does not declare is refused, naming it, instead of being dropped in silence (a
    # misspelt `ammount`, a `currency` we do not take, a field a newer client thinks exists).

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(k) for k in set(data) - set(self.fields) - FRAMEWORK_KEYS)
            if unknown:
                known = ", ".join(sorted(self.fields))
                raise serializers.ValidationError({name: [serializers.ErrorDetail(
                    UNKNOWN_FIELD.format(name=name, known=known), code="unknown_field")] for name in unknown})
        return super().to_internal_value(data)


class IntakeSerializer(RejectUnknownFields, serializers.Serializer):
    pass  # the base of every serializer that takes input: unknown fields refused


class MoneyIntakeSerializer(IntakeSerializer):
    currency = CurrencyField()  # input carrying amounts: "currency" may be left out or be CNY


@functools.cache  # one class per item class: a request builds none, the schema names it once
def bulk_serializer(item_class):
    """A bulk request of `item_class` items: {items, partial}."""
    class BulkSerializer(IntakeSerializer):
        items = item_class(many=True, allow_empty=False)
        partial = serializers.BooleanField(
            default=False, help_text="false (default): one bad item writes nothing; true: the good items are "
                                     "written and the bad ones reported")

    BulkSerializer.__name__ = f"Bulk{item_class.__name__}"
    return BulkSerializer


class BulkItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


@functools.cache  # one class per item result: the schema names each component once
def bulk_result_serializer(item_result_class):
    """The answer to a bulk request whose items answer `item_result_class` (plus their index)."""
    item = type(f"Bulk{item_result_class.__name__}", (item_result_class,), {"index": serializers.IntegerField()})

    class BulkResult(serializers.Serializer):
        posted = serializers.IntegerField()
        failed = serializers.IntegerField()
        results = item(many=True)
        errors = BulkItemErrorSerializer(many=True)

    BulkResult.__name__ = f"BulkResultOf{item_result_class.__name__}"
    return BulkResult
