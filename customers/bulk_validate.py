"""Per-item validation of a bulk post at the speed of plain Python, with DRF's answers (issue 20, bulk intake).

A bulk post of 10,000 items through `ItemSerializer(many=True)` runs DRF's per-field machinery 10,000 times
(run_validation, validate_empty_values, run_validators, get_value/set_value, error bookkeeping): about 0.2 ms an
item, most of a post's time. Here the item serializer is compiled once into a plan — per field its conversion
(the field's own `to_internal_value`, so the rules of MoneyField, MonthField, MomentField... have one home) and its
validators as plain checks (lengths, bounds, compiled regexes) — and every item in its usual shape goes through
the plan. Whatever the plan does not recognise as plainly valid (a missing or unknown key, a null, a number sent
as a string, any value a check refuses) is handed to the serializer itself for that item: an item accepted here is
one DRF accepts with the same value, and every error (index, field, rule, message) is DRF's own. The serializers
stay what the OpenAPI schema documents; nothing here changes what a request may contain.
"""

import decimal
import functools
import operator
import re
from collections.abc import Callable
from decimal import Decimal

from django.core import validators as dj
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.fields import ProhibitSurrogateCharactersValidator, SkipField, empty

from core.api.serializers import FRAMEWORK_KEYS, RejectUnknownFields


class _Slow(Exception):
    """This value is not plainly valid: let the serializer judge the item (and word its errors)."""


_SLOW = _Slow()
_SURROGATE = re.compile("[\ud800-\udfff]")
_REFUSED = (ValidationError, DjangoValidationError, SkipField)
_BOUNDS = (dj.MaxLengthValidator, dj.MinLengthValidator, dj.MaxValueValidator, dj.MinValueValidator)


def _validators(field) -> Callable[[object], None] | None:
    """The field's validators as one check raising _Slow (None: it has none). The kinds DRF and Django give fields
    (lengths, bounds, patterns, NUL, surrogates) become plain comparisons inside that one function: a value costs
    one call, not one per validator (10,000 items of 7 fields are 70,000 values). Any other validator, or a bound
    given as a callable, is called as it is."""
    if not field.validators:
        return None
    longest = shortest = highest = lowest = None
    patterns, others, no_nul, no_surrogate = [], [], False, False
    for validator in field.validators:
        kind, limit = type(validator), getattr(validator, "limit_value", None)
        if kind in _BOUNDS and callable(limit):
            others.append(validator)
        elif kind is dj.MaxLengthValidator:  # several bounds of a kind: the tightest one decides
            longest = limit if longest is None else min(longest, limit)
        elif kind is dj.MinLengthValidator:
            shortest = limit if shortest is None else max(shortest, limit)
        elif kind is dj.MaxValueValidator:
            highest = limit if highest is None else min(highest, limit)
        elif kind is dj.MinValueValidator:
            lowest = limit if lowest is None else max(lowest, limit)
        elif kind is dj.ProhibitNullCharactersValidator:
            no_nul = True
        elif kind is ProhibitSurrogateCharactersValidator:
            no_surrogate = True
        elif kind is dj.RegexValidator:  # the compiled pattern's search, not the lazy one; valid: (no match) == inverse
            patterns.append((validator.regex.search, validator.inverse_match))
        else:
            others.append(validator)
    search_surrogate = _SURROGATE.search

    def run(value):
        if (longest is not None and len(value) > longest) or (shortest is not None and len(value) < shortest) or (
                highest is not None and value > highest) or (lowest is not None and value < lowest):
            raise _SLOW
        if no_nul or no_surrogate or patterns:
            text = str(value)
            # ASCII text (most values: numbers, codes) holds no surrogate: isascii() reads a flag, not the text
            if (no_nul and "\x00" in text) or (
                    no_surrogate and not text.isascii() and search_surrogate(text) is not None):
                raise _SLOW
            for search, inverse in patterns:
                if (search(text) is None) != inverse:
                    raise _SLOW
        for validator in others:
            try:
                validator(value)
            except _REFUSED:
                raise _SLOW from None
    return run


def _checked(convert, check):
    if check is None:
        return convert

    def convert_and_check(value):
        value = convert(value)
        check(value)
        return value
    return convert_and_check


def _converter(field) -> Callable[[], Callable[[object], object]] | None:
    """A factory of the plainly-valid path of one field (value in, internal value out, _Slow for anything else),
    called once per batch: the field's per-batch facts (today, the clock, bounds) are read then. None: a kind of
    field this module does not know (the whole serializer is then left to DRF)."""
    if isinstance(field, serializers.ListSerializer):
        child = _plan_of(field.child)
        if child is None or field.validators or type(field).validate is not serializers.ListSerializer.validate:
            return None
        allow_empty, max_length, min_length = field.allow_empty, field.max_length, field.min_length

        def list_factory():
            convert_child = child()

            def convert_list(value):
                if type(value) is not list or (not value and not allow_empty) or (
                        max_length is not None and len(value) > max_length) or (
                        min_length is not None and len(value) < min_length):
                    raise _SLOW
                return [convert_child(v) for v in value]
            return convert_list
        return list_factory
    if isinstance(field, serializers.BaseSerializer):
        return _plan_of(field)
    if isinstance(field, (serializers.ListField, serializers.DictField, serializers.JSONField,
                          serializers.RelatedField, serializers.ManyRelatedField, serializers.FileField,
                          serializers.SerializerMethodField, serializers.HiddenField)):
        return None
    check = _validators(field)
    if type(field) is serializers.BooleanField:
        def convert_bool(value):
            if value is not True and value is not False:
                raise _SLOW
            if check is not None:
                check(value)
            return value
        return lambda: convert_bool
    if type(field) is serializers.IntegerField:
        def convert_int(value):
            if type(value) is not int:
                raise _SLOW
            if check is not None:  # in the converter, not wrapped around it: one call less per value
                check(value)
            return value
        return lambda: convert_int
    if type(field) is serializers.ChoiceField:
        choices, allow_blank = field.choice_strings_to_values, field.allow_blank

        def convert_choice(value):
            if type(value) is not str:
                raise _SLOW
            if value == "" and allow_blank:
                choice = ""
            else:
                choice = choices.get(value, _SLOW)
                if choice is _SLOW:
                    raise _SLOW
            if check is not None:
                check(choice)
            return choice
        return lambda: convert_choice
    if type(field) is serializers.DecimalField and not field.localize and field.decimal_places and \
            field.max_digits is not None and field.max_digits > field.decimal_places:
        # a plain decimal text within the field's digits (DRF's parse, precision check and quantize pass it as it
        # is): quantized as DRF does, with its context made once per batch rather than once per value
        plain = re.compile(rf"-?[0-9]{{1,{field.max_digits - field.decimal_places}}}"
                           rf"(?:\.[0-9]{{1,{field.decimal_places}}})?").fullmatch
        places, digits, rounding = Decimal(".1") ** field.decimal_places, field.max_digits, field.rounding

        def decimal_factory():
            context = decimal.getcontext().copy()
            context.prec = digits

            def convert_decimal(value):
                if type(value) is not str or plain(value) is None:
                    raise _SLOW
                return Decimal(value).quantize(places, rounding=rounding, context=context)
            return _checked(convert_decimal, check)
        return decimal_factory
    if type(field) is serializers.DateField:  # a bill's due date: a batch names few days, each parsed once
        def date_factory():
            to_internal, taken = field.to_internal_value, {}

            def convert_date(value):
                if type(value) is not str or not value:
                    raise _SLOW
                day = taken.get(value)
                if day is None:
                    try:
                        day = taken[value] = to_internal(value)
                    except _REFUSED:
                        raise _SLOW from None
                return day
            return _checked(convert_date, check)
        return date_factory
    if isinstance(field, serializers.CharField):
        if type(field).to_internal_value is not serializers.CharField.to_internal_value:
            return None
        trim = field.trim_whitespace

        def convert_text(value):
            if type(value) is not str:
                raise _SLOW
            text = value.strip() if trim else value
            if not text:  # blank: the field's own rule (allow_blank) and message
                raise _SLOW
            if check is not None:
                check(text)
            return text
        return lambda: convert_text
    make = getattr(field, "converter", None)  # the field's per-batch converter (core.api.fields), if it has one

    def factory():
        to_internal = make() if make is not None else field.to_internal_value

        def convert(value):
            if value is None or value == "":
                raise _SLOW
            try:
                return to_internal(value)
            except _REFUSED:
                raise _SLOW from None
        return _checked(convert, check)
    return factory


def _default_of(field) -> Callable[[], object] | None:
    """`field.get_default` as the plan calls it for a value not sent, worked out once: None where it raises
    SkipField (no default: the plan's serializers are never partial), the default itself where it is a plain value
    (get_default returns that same object), the callable itself where get_default would just call it (`list`,
    `dict`: called each time, as get_default does), else get_default (a default that wants the field)."""
    if getattr(field.root, "partial", False):
        return field.get_default
    if field.default is empty:
        return None
    if not callable(field.default):
        constant = field.default
        return lambda: constant
    if not getattr(field.default, "requires_context", False):
        return field.default
    return field.get_default


@functools.cache
def _plan_of_class(serializer_class):
    return _plan_of(serializer_class())


def _plan_of(serializer) -> Callable[[], Callable[[object], dict]] | None:
    """A factory of the plainly-valid path of a serializer (nested ones included): a dict in, its validated data
    out. None: the serializer has something this module does not know (DRF then validates every item)."""
    if serializer.validators or type(serializer).run_validation is not serializers.Serializer.run_validation:
        return None
    factories = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        factory = _converter(field)
        if factory is None or len(field.source_attrs) != 1:
            return None
        hook = getattr(serializer, f"validate_{name}", None)
        factories.append((name, field.source_attrs[0], factory, field.required, _default_of(field), hook))
    known = set(serializer.fields) | FRAMEWORK_KEYS
    reject_unknown = isinstance(serializer, RejectUnknownFields)
    validate = serializer.validate if type(serializer).validate is not serializers.Serializer.validate else None

    def plan_factory():
        fields = [(name, source, factory(), required, default, hook)
                  for name, source, factory, required, default, hook in factories]

        def run(raw):
            if type(raw) is not dict or (reject_unknown and not raw.keys() <= known):
                raise _SLOW
            data = {}
            for name, source, convert, required, default, hook in fields:
                value = raw.get(name, empty)
                if value is empty:
                    if required:
                        raise _SLOW
                    if default is None:  # no default: the field is left out (get_default's SkipField)
                        continue
                    try:
                        data[source] = default()
                    except SkipField:
                        pass
                    continue
                value = convert(value)
                if hook is not None:
                    try:
                        value = hook(value)
                    except _REFUSED:
                        raise _SLOW from None
                data[source] = value
            if validate is not None:
                try:
                    data = validate(data)
                except _REFUSED:
                    raise _SLOW from None
            return data
        return run
    return plan_factory


def bulk_items_validate(item_class, raw_items: list) -> tuple[list[tuple[int, dict]], dict[int, dict]]:
    """([(index, validated data)] of the valid items, {index: DRF's errors of the item}) — what
    `item_class(many=True)` would give, item for item."""
    factory = _plan_of_class(item_class)
    plan = factory() if factory is not None else None
    child = item_class()
    good, errors = [], {}
    for index, raw in enumerate(raw_items):
        if plan is not None:
            try:
                good.append((index, plan(raw)))
                continue
            except _Slow:
                pass
        try:  # as the list serializer does: its child's run_validation, the item's errors its exc.detail
            good.append((index, child.run_validation(raw)))
        except ValidationError as exc:
            errors[index] = exc.detail
    return good, errors


def bulk_request_validate(bulk_class, data, *,
                          items: str = "items") -> tuple[list[tuple[int, dict]], dict[int, dict], dict]:
    """A bulk body {"items": [...], **options}: (valid items with their index, {index: item errors}, the options'
    validated values). An error outside the items (no list, an empty one, an unknown key, a bad option) is the
    whole request's: the bulk serializer's own ValidationError, as if it had validated the body."""
    body = bulk_class()
    list_field = body.fields[items]
    raw_items = data.get(items) if type(data) is dict else None
    options = {}
    plain = type(raw_items) is list and bool(raw_items or list_field.allow_empty) and (
        not isinstance(body, RejectUnknownFields) or data.keys() <= set(body.fields) | FRAMEWORK_KEYS)
    if plain:
        for name, field in body.fields.items():
            if name == items or field.read_only:
                continue
            try:
                options[name] = field.run_validation(data.get(name, empty))
            except SkipField:
                continue
            except ValidationError:
                plain = False
                break
    if not plain:  # the serializer's own answer: its errors, or (a shape this module does not take) its data
        whole = bulk_class(data=data)
        whole.is_valid(raise_exception=True)
        checked = dict(whole.validated_data)
        return list(enumerate(checked.pop(items))), {}, checked
    good, errors = bulk_items_validate(type(list_field.child), raw_items)
    return good, errors, options


DECIMAL = Decimal


def representer(serializer_class) -> Callable[[object], dict]:
    """`serializer_class(instance).data` for a plain read serializer, without DRF's per-field machinery: attributes
    read by their source, money as DRF writes it (2-place strings), other values through the field itself."""
    fields = []
    for name, field in serializer_class().fields.items():
        if field.write_only:
            continue
        path = field.source_attrs
        if isinstance(field, serializers.DecimalField) and getattr(
                field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING) and not (
                field.localize or field.normalize_output) and type(field).to_representation is \
                serializers.DecimalField.to_representation:
            places, digits = field.decimal_places, field.max_digits
            # str() of a Decimal is plain "[-]d…d.dd" exactly when its exponent is -places (anything else has
            # another number of decimals, an exponent "E", or is not finite); its characters bound its digits
            # (a leading "0." counts one more: such a value takes the field's own path, with the same answer)

            def money(value, field=field, places=places, digits=digits):
                if type(value) is DECIMAL and places:
                    text = str(value)
                    if len(text) > places + 1 and text[-places - 1] == "." and "E" not in text and (
                            digits is None or len(text) - 1 - (text[0] == "-") <= digits):
                        return text
                return field.to_representation(value)
            fields.append((name, path, money))
        elif type(field) in (serializers.BooleanField, serializers.IntegerField, serializers.CharField):
            kind = {serializers.BooleanField: bool, serializers.IntegerField: int, serializers.CharField: str}[
                type(field)]

            def plain(value, field=field, kind=kind):
                return value if type(value) is kind else field.to_representation(value)
            fields.append((name, path, plain))
        else:
            fields.append((name, path, field.to_representation))

    def walk(instance, path):
        value = instance
        for attr in path:
            value = value[attr] if isinstance(value, dict) else getattr(value, attr)
            if value is None:
                break
        return value

    # each source read by one attrgetter (its dotted path); a None or a dict on the way raises AttributeError and
    # takes the walk above (a name a dict answers as an attribute, e.g. "items", always takes it)
    getters = [(name, operator.attrgetter(".".join(path)) if path and not any(hasattr(dict, a) for a in path)
                else None, path, convert) for name, path, convert in fields]

    def represent(instance, out: dict | None = None) -> dict:
        """`out`: the dict to fill (a bulk answer's item, its "index" first), else a new one."""
        if out is None:
            out = {}
        plain = not isinstance(instance, dict)
        for name, get, path, convert in getters:
            if plain and get is not None:
                try:
                    value = get(instance)
                except AttributeError:
                    value = walk(instance, path)
            else:
                value = walk(instance, path)
            out[name] = None if value is None else convert(value)
        return out
    return represent
