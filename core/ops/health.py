"""Liveness (/healthz: the process answers) and readiness (/readyz: database and broker reachable)."""

import hmac
import ipaddress
import time

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView

from core.sql import PING_SQL


def _check_database() -> str:
    with connection.cursor() as cur:
        cur.execute(PING_SQL)
    return "ok"


def _check_broker() -> str:
    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    return "ok"


CHECKS = {"database": _check_database, "broker": _check_broker}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    results, ready = {}, True
    for name, check in CHECKS.items():
        start = time.perf_counter()
        try:
            results[name] = {"status": check()}
        except Exception as exc:  # any failure means "not ready"; the class name says which
            ready = False
            results[name] = {"status": "error", "error": type(exc).__name__}
        results[name]["ms"] = round(1000 * (time.perf_counter() - start), 1)
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503)


def _in_networks(address: str, networks) -> bool:
    """Whether `address` is one of `networks` (addresses or CIDR networks); what does not parse matches nothing."""
    def network(text):
        try:
            return ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            return None

    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(n is not None and ip in n for n in map(network, networks))


def metrics_allowed(*, remote_addr: str, forwarded_for: str | None, authorization: str, networks, token: str,
                    trust_proxy: bool) -> bool:
    """Who may read /metrics: the bearer of METRICS_TOKEN from anywhere; else a client on the allowed networks.
    Behind a proxy (X-Forwarded-For present) REMOTE_ADDR is the proxy's, often loopback: it is trusted for
    nothing, and the client's address is the last entry of X-Forwarded-For (the one our proxy added) only when
    METRICS_TRUST_PROXY says the proxy in front of us is ours."""
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    if forwarded_for is not None:
        return trust_proxy and _in_networks(forwarded_for.split(",")[-1], networks)
    return _in_networks(remote_addr, networks)


def metrics(request):
    """Prometheus metrics for the allowed scrapers only (metrics_allowed; loopback without a proxy by default)."""
    if not metrics_allowed(remote_addr=request.META.get("REMOTE_ADDR", ""),
                           forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
                           authorization=request.META.get("HTTP_AUTHORIZATION", ""),
                           networks=settings.METRICS_ALLOWED_IPS, token=settings.METRICS_TOKEN,
                           trust_proxy=settings.METRICS_TRUST_PROXY):
        return HttpResponseForbidden("metrics are not served to this client")
    return ExportToDjangoView(request)
