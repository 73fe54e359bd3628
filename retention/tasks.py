from celery import shared_task

from core.tasks import dispatch_run, night_of
from retention.batches import SCAN_KIND


@shared_task
def scan_retention_nightly(day: str | None = None) -> int:
    """Scheduled nightly at 01:30 (django-celery-beat, editable in admin); period = today's date."""
    return dispatch_run(SCAN_KIND, night_of(day).isoformat()).pk
