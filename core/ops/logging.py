"""Structured request logs and a filter that keeps personal data out of every log line."""

import logging
import re
import time

logger = logging.getLogger("crm.request")

# PRC resident ID (17 digits + digit/X) and mainland mobile numbers (11 digits starting with 1).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MSISDN = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def mask_personal_data(text: str) -> str:
    return _MSISDN.sub(r"\1****\2", _ID_NUMBER.sub(r"\1**********\2", text))


class PersonalDataFilter(logging.Filter):
    """Masks ID numbers and mobile numbers in the message and its arguments (paths carry MSISDNs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_personal_data(record.msg)
        if isinstance(record.args, dict):  # "%(name)s" style, e.g. Celery's task log lines
            record.args = {k: mask_personal_data(v) if isinstance(v, str) else v for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(mask_personal_data(a) if isinstance(a, str) else a for a in record.args)
        for key in ("path", "query"):
            if isinstance(getattr(record, key, None), str):
                setattr(record, key, mask_personal_data(getattr(record, key)))
        return True


class RequestLogMiddleware:
    """One structured line per request: method, path, status, duration, user (the request id is added by
    django-guid's log filter)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        logger.info("request", extra={
            "method": request.method, "path": request.path, "status": response.status_code,
            "duration_ms": round(1000 * (time.perf_counter() - start), 1),
            "user_id": user.pk if user is not None and user.is_authenticated else None,
        })
        return response
