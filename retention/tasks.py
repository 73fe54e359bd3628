from celery import shared_task

from core.tasks import dispatch_run, night_of
from retention.batches import SCAN_KIND


@shared_task
def scan_retention_nightly(day: str | None = None) -> int:
    """Scheduled nightly at 01:30 (django-celery-beat, editable in admin); period = today's date. The same night
    verifies the retentions whose check day has come (retention.verify)."""
    from retention.verify import VERIFY_KIND

    period = night_of(day).isoformat()
    dispatch_run(VERIFY_KIND, period)
    return dispatch_run(SCAN_KIND, period).pk
