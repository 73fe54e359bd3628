"""Idempotency-Key for billing writes: a replay returns the first answer and writes nothing; the same key
with a different body is 409. The first answer is stored in the same transaction as the write."""

import hashlib
import json

from django.db import connection, transaction
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from arrears.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MISSING = "Every write needs an Idempotency-Key header (1–100 characters) so that a retry never posts twice."
CONFLICT = "This Idempotency-Key was used with a different request body; use a new key for a new request."


class IdempotencyConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = CONFLICT


def _fingerprint(endpoint: str, data) -> str:
    return hashlib.sha256(json.dumps([endpoint, data], sort_keys=True, default=str).encode()).hexdigest()


def idempotent(request, endpoint: str, handler) -> Response:
    """Run `handler()` once per (caller, key); answers 2xx are kept and replayed."""
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > 100:
        raise ValidationError({HEADER: [MISSING]}, code="required")
    fingerprint = _fingerprint(endpoint, request.data)
    with transaction.atomic():
        with connection.cursor() as cur:  # same key in parallel: the second waits for the first
            cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{request.user.pk}:{key}"])
        first = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if first is not None:
            if first.request_hash != fingerprint or first.endpoint != endpoint:
                raise IdempotencyConflict()
            return Response(first.response, status=first.status_code, headers={"Idempotent-Replayed": "true"})
        response = handler()
        if 200 <= response.status_code < 300:
            IdempotencyRecord.objects.create(user=request.user, key=key, endpoint=endpoint,
                                             request_hash=fingerprint, status_code=response.status_code,
                                             response=json.loads(json.dumps(response.data, default=str)))
    return response
