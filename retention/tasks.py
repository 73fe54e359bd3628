from celery import shared_task
from django.utils import timezone

from core.tasks import dispatch_run
from retention.batches import SCAN_KIND


@shared_task
def scan_retention_nightly() -> int:
    """Scheduled nightly at 01:30 (django-celery-beat, editable in admin); period = today's date."""
    return dispatch_run(SCAN_KIND, timezone.localdate().isoformat()).pk
