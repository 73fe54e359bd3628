"""Idempotency-Key for API writes (billing postings, onboarding, lines): a replay returns the first answer and
writes nothing; the same key with a different body is 409. The first answer is stored in the same transaction
as the write."""

import hashlib
import json

import orjson
from django.db import connection, transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from core.api import json as api_json
from core.api.serializers import bulk_serializer
from core.models import IdempotencyRecord
from core.sql import IDEMPOTENCY_ANSWER_SQL, IDEMPOTENCY_CLAIM_SQL

HEADER = "Idempotency-Key"
MAX_KEY = 100
MISSING = "Every write needs an Idempotency-Key header (1–100 characters) so that a retry never posts twice."
TOO_LONG = "An Idempotency-Key has 1–100 characters."
CONFLICT = "This Idempotency-Key was used with a different request body; use a new key for a new request."
IDEMPOTENCY_PARAMETER = OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=True,
                                         description="A new key per request; a retry sends the same key and body")


def write_views(name: str, single: tuple, bulk: tuple, *, item, result, bulk_result, **attrs):
    """An intake write of one `item` and its bulk twin: `<name>View` on the bases `single` and `Bulk<name>View` on
    `bulk`, both with `attrs`, documented with the Idempotency-Key header, the item (a bulk of them) and the answer
    (`result`; `bulk_result` for the bulk)."""
    one = extend_schema(parameters=[IDEMPOTENCY_PARAMETER], request=item, responses={201: result})(
        type(f"{name}View", single, attrs))
    many = extend_schema(parameters=[IDEMPOTENCY_PARAMETER], request=bulk_serializer(item),
                         responses={201: bulk_result, 200: bulk_result})(type(f"Bulk{name}View", bulk, attrs))
    return one, many


class IdempotencyConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = CONFLICT


class _Text(api_json.JSONRenderer):
    def __init__(self, text: bytes):
        self.text = text

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return self.text


class StoredAnswer(Response):
    """A first answer whose JSON text was made for the idempotency record: a client that takes plain JSON gets
    that text (the same bytes a replay returns), not a second encoding of the same data."""

    def __init__(self, response: Response, text: bytes):
        super().__init__(response.data, status=response.status_code, headers=dict(response.items()),
                         content_type=response.content_type)
        self._text = text

    @property
    def rendered_content(self):
        if type(getattr(self, "accepted_renderer", None)) is api_json.JSONRenderer and \
                "indent" not in (getattr(self, "accepted_media_type", None) or ""):
            self.accepted_renderer = _Text(self._text)
        return super().rendered_content


def _fingerprint(endpoint: str, data) -> str:
    """The request's digest, alike for the same JSON whatever its keys' order and spacing (orjson: a 10,000-item
    body in a sixth of the standard library's time; an integer beyond 64 bits takes the standard library)."""
    try:
        text = orjson.dumps([endpoint, data], option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    except (TypeError, orjson.JSONEncodeError):
        return _fingerprint_before(endpoint, data)
    return hashlib.sha256(text).hexdigest()


def _fingerprint_before(endpoint: str, data) -> str:
    """The digest as written before 2026-12-08 (the standard library's text): a retry of a request first sent
    before the change is still the same request."""
    return hashlib.sha256(json.dumps([endpoint, data], sort_keys=True, default=str).encode()).hexdigest()


def idempotent(request, endpoint: str, handler, *, required: bool = True) -> Response:
    """Run `handler()` once per (caller, key); answers 2xx are kept and replayed.

    Without a key the write is refused when `required`, else simply run. The key is claimed first with
    INSERT … ON CONFLICT DO NOTHING: the same key sent twice at once makes the second request wait on the
    unique index until the first commits (then it replays) or rolls back (then it runs). The claim is filled
    in with the answer in the same transaction as the write."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        if not required:
            return handler()
        raise ValidationError({HEADER: [MISSING]}, code="required")
    if len(key) > MAX_KEY:
        raise ValidationError({HEADER: [MISSING if required else TOO_LONG]}, code="max_length")
    fingerprint = _fingerprint(endpoint, request.data)
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(IDEMPOTENCY_CLAIM_SQL, [request.user.pk, key, endpoint, fingerprint])
            claimed = cur.fetchone()
        if claimed is None:
            first = IdempotencyRecord.objects.get(user=request.user, key=key)
            if first.endpoint != endpoint or first.request_hash not in (
                    fingerprint, _fingerprint_before(endpoint, request.data)):
                raise IdempotencyConflict()
            replay = Response(json.loads(first.response), status=first.status_code,
                              headers={"Idempotent-Replayed": "true"})
            return StoredAnswer(replay, first.response.encode())  # the first answer's own text
        response = handler()
        if 200 <= response.status_code < 300:  # the answer's JSON text, made once: stored as it is (a bulk answer
            # is 10,000 rows: no jsonb parse) and sent as it is, by this answer and by every replay
            text = api_json.JSONRenderer().render(response.data)
            with connection.cursor() as cur:
                cur.execute(IDEMPOTENCY_ANSWER_SQL, [response.status_code, text.decode(), claimed[0]])
            response = StoredAnswer(response, text)
        else:  # only successes are kept: the key stays free for a corrected request
            IdempotencyRecord.objects.filter(pk=claimed[0]).delete()
    return response
