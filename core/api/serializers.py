"""Base serializers for what comes in from outside."""

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
