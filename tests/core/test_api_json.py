"""The API's JSON through msgspec and orjson (core/api/json.py) reads and writes what DRF's own JSONParser and
JSONRenderer do, falls back to them where the fast libraries would differ, and keeps idempotent replays working
for requests whose digest was written before the change."""

import io
import uuid
from datetime import date, datetime, time, timedelta, timezone, UTC
from decimal import Decimal

from collections import OrderedDict

import numpy as np
import pytest
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from rest_framework import parsers, renderers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ErrorDetail, ParseError
from rest_framework.test import APIClient

from core.api import idempotency
from core.api.json import TOO_DEEP, JSONParser, JSONRenderer
from core.models import IdempotencyRecord
from customers.choices import ServiceStatus
from tests.factories import LineFactory

VALUES = [
    {"a": 1, 3: {"x": [1, 2.5, None, True, False]}, "zh": "客户"},
    {"money": Decimal("1.50"), "at": datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
     "local": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8))), "day": date(2026, 1, 2),
     "clock": time(1, 2, 3, 456789), "span": timedelta(days=1, seconds=3), "id": uuid.UUID(int=7),
     "lazy": gettext_lazy("Active"), "error": ErrorDetail("bad", code="x"), "set": {1}, "np_int": np.int64(3),
     "np_float": np.float64(1.5), "np_array": np.array([1, 2]), "bytes": b"xy", "tuple": (1, 2)},
    {"big": 2 ** 70, "separators": "a\u2028b\u2029c"},
    # subclasses of the builtins, read through their methods as json reads them (orjson reads their raw storage)
    {"query": QueryDict("a=1&a=2"), "messages": ErrorList(["bad"]), "form": ErrorDict({"f": ErrorList(["x"])}),
     "choice": ServiceStatus.ACTIVE, "safe": mark_safe("<b>"), "ordered": OrderedDict(b=1, a=2)},
    [], "text", 0, -1.25,
]


@pytest.mark.parametrize("value", VALUES)
def test_an_answer_is_written_as_drf_writes_it(value):
    assert JSONRenderer().render(value) == renderers.JSONRenderer().render(value)


def test_indented_output_is_drfs():
    value = {"a": [1, {"b": "客户"}]}
    assert JSONRenderer().render(value, "application/json; indent=4") == \
        renderers.JSONRenderer().render(value, "application/json; indent=4")
    assert b"\n    " in JSONRenderer().render(value, "application/json; indent=4")


BODIES = [b'{"a":1,"a":2}', b'{"x": NaN}', b'[1e400]', b'{"n": 123456789012345678901234567890}',
          b'"\\ud800"', b'\xef\xbb\xbf{}', b'{"a": 1.10, "b": -0, "c": 1.5e3}', b'{"s":"\\u00e9\xe5\xae\xa2"}',
          b'[1,]', b'\xff', b' {"x" : [true,false,null]} ', b'{"k":"\\u0000"}', b'', b'{"unclosed": ']


def _parse(parser, body, encoding="utf-8"):
    try:
        return parser.parse(io.BytesIO(body), "application/json", {"encoding": encoding})
    except ParseError as exc:
        return ("400", str(exc.detail))


@pytest.mark.parametrize("body", BODIES)
def test_a_body_is_read_as_drf_reads_it(body):
    assert _parse(JSONParser(), body) == _parse(parsers.JSONParser(), body)


def test_a_big_integer_stays_exact():
    # orjson would read 2**70 as a float; an id or amount sent as a number must reach the serializer unchanged
    read = _parse(JSONParser(), f'{{"n": {2 ** 70 + 1}}}'.encode())
    assert read == {"n": 2 ** 70 + 1} and type(read["n"]) is int


def test_another_charset_is_read_by_drf():
    body = '{"name": "café"}'.encode("latin-1")
    assert _parse(JSONParser(), body, "latin-1") == {"name": "café"} == _parse(parsers.JSONParser(), body, "latin-1")


@pytest.fixture
def billing(org):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return api


def _post(api, text: str, key: str):
    return api.generic("POST", "/api/billing/payments/", text, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_malformed_body_is_a_json_400_in_drfs_words(billing):
    response = _post(billing, '{"msisdn": ', "k-bad")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("JSON parse error - ")


@pytest.mark.django_db
def test_a_body_nested_too_deeply_is_a_400_not_a_500(billing):
    response = _post(billing, "[" * 100_000 + "]" * 100_000, "k-deep")
    assert response.status_code == 400 and response.json()["detail"] == TOO_DEEP


@pytest.mark.django_db
def test_the_same_request_in_another_key_order_and_spacing_is_a_replay(billing):
    line = LineFactory()
    first = _post(billing, f'{{"msisdn": "{line.msisdn}", "amount": "30.00", "paid_at": "2026-11-24T10:00:00+08:00",'
                           f' "channel": "counter", "reference": "R-1"}}', "k-1")
    again = _post(billing, f'{{"reference":"R-1","channel":"counter","paid_at":"2026-11-24T10:00:00+08:00",'
                           f'"amount":"30.00","msisdn":"{line.msisdn}"}}', "k-1")
    assert first.status_code == 201 and again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    changed = _post(billing, f'{{"msisdn": "{line.msisdn}", "amount": "31.00", "paid_at": "2026-11-24T10:00:00+08:00",'
                             f' "channel": "counter", "reference": "R-1"}}', "k-1")
    assert changed.status_code == 409


@pytest.mark.django_db
def test_a_request_first_answered_before_the_digest_changed_is_still_replayed(billing):
    line = LineFactory()
    body = {"msisdn": line.msisdn, "amount": "30.00", "paid_at": "2026-11-24T10:00:00+08:00", "channel": "counter",
            "reference": "R-2"}
    first = billing.post("/api/billing/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert first.status_code == 201
    # the record as the code before 2026-12-08 wrote it: the standard library's digest of the same request
    record = IdempotencyRecord.objects.get(key="k-2")
    record.request_hash = idempotency._fingerprint_before(record.endpoint, body)
    record.save(update_fields=["request_hash"])
    assert record.request_hash != idempotency._fingerprint(record.endpoint, body)
    again = billing.post("/api/billing/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.content == first.content
