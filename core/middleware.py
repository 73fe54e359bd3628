import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DefaultLanguageMiddleware:
    """Pages are Simplified Chinese unless the user picked another language (cookie).

    The browser's Accept-Language is ignored for pages, so a staff PC set to English still gets the
    operator's default; the API keeps honouring Accept-Language for its clients.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """The database is unreachable (restart, failover): 503 with Retry-After instead of a 500.

    The request's transaction never committed, so nothing was written; the client retries.
    """

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("database unavailable: %s", type(exception).__name__)
        session = getattr(request, "session", None)
        if session is not None and not hasattr(session, "_session_cache"):
            session._session_cache = {}  # its load failed with the database: nothing to save on the way out
        message = _("The database is unavailable for a moment; nothing was saved. Please retry.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "code": "database_unavailable"}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response


class RejectNulMiddleware:
    """API input with a NUL character is refused with 400 before it reaches the database, which cannot store
    it in text (found by the API fuzzer: a NUL in a looked-up value raised a database error, a 500)."""

    MESSAGE = "The request contains a NUL character (\\u0000), which no field accepts."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and self._has_nul(request):
            return JsonResponse({"detail": "Invalid input.", "errors": [
                {"field": "__all__", "code": "null_character", "message": self.MESSAGE}]}, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return True
        if request.method in {"POST", "PUT", "PATCH"}:
            body = request.body
            form_encoded = request.content_type == "application/x-www-form-urlencoded"
            return b"\x00" in body or b"\\u0000" in body or (form_encoded and b"%00" in body)
        return False
