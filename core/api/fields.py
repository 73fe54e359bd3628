"""The API's fields for money and dates from outside, one of each kind for every intake (rules: core.policies).

    amount = MoneyField(operation="payment")                  # "88.00"; max from settings.MONEY_MAXIMUM
    prepaid_balance = MoneyField(operation="usage", signed=True)
    month = MonthField()                                      # "2026-10", not ahead of this month
    paid_at = MomentField()                                   # an event that happened: not in the future
    valid_until = DayField(past_days=0, future_days=366)      # a day within a window around today
"""

import functools
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from core import policies

CURRENCY = "CNY"
CURRENCY_ONLY = "Amounts are in CNY only."


def money_maximum(operation: str) -> Decimal:
    """The business maximum of one amount in `operation` (settings.MONEY_MAXIMUM)."""
    return Decimal(settings.MONEY_MAXIMUM[operation])


def window_refusal(day, *, past_days: int | None, future_days: int | None) -> policies.Refusal | None:
    """A day from `past_days` before today to `future_days` after it (None: settings.INTAKE_MAX_AGE_DAYS)."""
    today, age = timezone.localdate(), settings.INTAKE_MAX_AGE_DAYS
    past = age if past_days is None else past_days
    return policies.day_refusal(day, earliest=today - timedelta(days=past),
                                latest=today + timedelta(days=age if future_days is None else future_days),
                                max_age_days=past if past_days is None else None)


def _refuse(refusal: policies.Refusal):
    raise serializers.ValidationError(str(refusal), code=refusal.code)


class ConvertedField:
    # A field whose `converter()` reads what it checks against once (its bounds, today) and gives the
    # function that converts one value: a bulk post converts its 10,000 values with one.

    def converter(self):
        raise NotImplementedError

    def to_internal_value(self, data):
        return self.converter()(data)


class MoneyField(ConvertedField, serializers.Field):
    """CNY as a string of ASCII digits with at most 2 decimals, from `minimum` (or −maximum when `signed`) up to
    the operation's business maximum. JSON numbers, exponents, full-width digits and separators are refused."""

    def __init__(self, *, operation: str, minimum: str = "0.01", signed: bool = False, **kwargs):
        self.operation, self.signed, self._minimum = operation, signed, Decimal(minimum)
        super().__init__(**kwargs)

    @property
    def maximum(self) -> Decimal:
        return money_maximum(self.operation)

    @property
    def minimum(self) -> Decimal:
        return -self.maximum if self.signed else self._minimum

    def converter(self):
        """`to_internal_value` with the bounds read once (a bulk post converts 10,000 amounts with it); an amount's
        text already taken in this batch is not parsed again (a month's bills repeat the plans' fees, payments the
        round sums: the same Decimal, which is immutable)."""
        minimum, maximum = self.minimum, self.maximum
        taken = {}

        def convert(data):
            if type(data) is str and (amount := taken.get(data)) is not None:
                return amount
            try:
                amount = policies.parse_money(data, minimum=minimum, maximum=maximum)
            except policies.Refusal as refusal:
                _refuse(refusal)
            if type(data) is str:
                taken[data] = amount
            return amount
        return convert

    def to_representation(self, value):
        return f"{Decimal(value):.2f}"


class MonthField(ConvertedField, serializers.Field):
    """A month as "YYYY-MM", taken as its first day: not after the current month, not older than the intake
    takes (settings.INTAKE_MAX_AGE_DAYS)."""

    def converter(self):
        """`to_internal_value` with today and the window read once (a bulk post converts 10,000 months)."""
        today, days = timezone.localdate(), settings.INTAKE_MAX_AGE_DAYS
        earliest, latest = (today - timedelta(days=days)).replace(day=1), today.replace(day=1)
        taken = {}  # the months of this batch already taken (a month's bills or usage all name the same one)

        def convert(data):
            if type(data) is str and (month := taken.get(data)) is not None:
                return month
            try:
                month = policies.parse_month(data)
            except policies.Refusal as refusal:
                _refuse(refusal)
            if refusal := policies.day_refusal(month, earliest=earliest, latest=latest, max_age_days=days,
                                               future_code="future"):
                _refuse(refusal)
            if type(data) is str:
                taken[data] = month
            return month
        return convert

    def to_representation(self, value):
        return _month_text(value)


@functools.lru_cache(maxsize=256)  # strftime is a tenth of a 10,000-item answer that names one month throughout
def _month_text(value) -> str:
    return f"{value:%Y-%m}"


class MomentField(serializers.DateTimeField):
    """When a reported event happened: not ahead of our clock by more than settings.INTAKE_CLOCK_SKEW_SECONDS,
    not older than settings.INTAKE_MAX_AGE_DAYS."""

    def converter(self):
        """`to_internal_value` with the clock, the time zone and the bounds read once (a bulk post converts
        10,000 moments with it). An ISO 8601 text with an offset is what DRF's parser gives it (parse_datetime,
        then the field's time zone); any other input goes through DRF's own parsing and messages."""
        now, days, skew = timezone.now(), settings.INTAKE_MAX_AGE_DAYS, settings.INTAKE_CLOCK_SKEW_SECONDS
        zone = self.timezone if hasattr(self, "timezone") else self.default_timezone()
        earliest, latest = now - timedelta(days=days), now + timedelta(seconds=skew)
        formats = getattr(self, "input_formats", api_settings.DATETIME_INPUT_FORMATS)
        iso = bool(formats) and formats[0].lower() == ISO_8601
        drf = super().to_internal_value

        def convert(value):
            moment = None
            if iso and zone is not None and type(value) is str:
                try:
                    parsed = parse_datetime(value)
                    if parsed is not None and parsed.tzinfo is not None:
                        moment = parsed.astimezone(zone)
                except (ValueError, TypeError, OverflowError):
                    moment = None
            if moment is None:
                moment = drf(value)
            if not earliest <= moment <= latest and (  # the bounds moment_refusal checks, worked out once
                    refusal := policies.moment_refusal(moment, now=now, max_age_days=days, skew_seconds=skew)):
                _refuse(refusal)
            return moment
        return convert

    def to_internal_value(self, value):
        return self.converter()(value)


class DayField(serializers.DateField):
    """A day from `past_days` before today to `future_days` after it (None: settings.INTAKE_MAX_AGE_DAYS back,
    the same ahead)."""

    def __init__(self, *, past_days: int | None = None, future_days: int | None = None, **kwargs):
        self.past_days, self.future_days = past_days, future_days
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if refusal := window_refusal(day, past_days=self.past_days, future_days=self.future_days):
            _refuse(refusal)
        return day


class CurrencyField(serializers.Field):
    """Optional "currency" beside amounts: CNY, the only currency the operator bills in."""

    def __init__(self, **kwargs):
        super().__init__(required=False, write_only=True, default=CURRENCY,
                         help_text="CNY (the only currency taken; may be left out)", **kwargs)

    def to_internal_value(self, data):
        if data != CURRENCY:
            raise serializers.ValidationError(CURRENCY_ONLY, code="currency")
        return data

    def to_representation(self, value):
        return value


class MoneyFieldSchema(OpenApiSerializerFieldExtension):
    target_class = MoneyField
    match_subclasses = True  # bounded money of every kind (e.g. enterprise agreement values)

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        return {"type": "string", "format": "decimal", "example": "88.00",
                "pattern": policies.money_pattern(field.maximum, signed=field.signed),
                "description": f"CNY, {field.minimum} to {field.maximum}, as a string"}


class MonthFieldSchema(OpenApiSerializerFieldExtension):
    target_class = MonthField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": f"^{policies.MONTH_TEXT.pattern}$", "example": "2026-10"}


class CurrencyFieldSchema(OpenApiSerializerFieldExtension):
    target_class = CurrencyField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": [CURRENCY]}
