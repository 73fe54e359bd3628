"""Liveness (/healthz: the process answers) and readiness (/readyz: database and broker reachable)."""

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return "ok"


def _check_broker() -> str:
    import redis

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


def metrics(request):
    """Prometheus metrics for scrapers on the allowed addresses only (METRICS_ALLOWED_IPS; loopback by default)."""
    from django.http import HttpResponseForbidden
    from django_prometheus.exports import ExportToDjangoView

    if request.META.get("REMOTE_ADDR") not in settings.METRICS_ALLOWED_IPS:
        return HttpResponseForbidden("metrics are not served to this address")
    return ExportToDjangoView(request)
