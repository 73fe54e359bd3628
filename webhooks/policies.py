"""Webhook rules as pure functions: the signature receivers check and the retry schedule."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-Signature"


@dataclass(frozen=True)
class RetryPolicy:
    first_delay_seconds: int = 30
    max_delay_seconds: int = 6 * 3600
    max_attempts: int = 12  # ~ a day and a half of retries, then the delivery is given up (replay sends it again)
    timeout_seconds: float = 5.0


RETRY = RetryPolicy()


def signature(secret: str, body: bytes) -> str:
    """The X-Signature header: "sha256=" and the hex HMAC-SHA256 of the exact body bytes under the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, body), header or "")


def retry_delay(attempts: int, policy: RetryPolicy | None = None) -> timedelta:
    """Exponential backoff after the `attempts`-th failure: 30 s, 60 s, 120 s, … capped at 6 hours."""
    policy = policy or RETRY
    return timedelta(seconds=min(policy.first_delay_seconds * 2 ** max(attempts - 1, 0), policy.max_delay_seconds))


def delivered(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


def url_refusal(url: str) -> str | None:
    """A receiver is reached over HTTPS (plain HTTP only on loopback, for a receiver beside the product)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}:
        return None
    return _("A webhook URL is https:// (http:// only on this host's loopback).")
