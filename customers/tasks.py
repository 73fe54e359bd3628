from celery import shared_task
from django.utils import timezone

from core.tasks import dispatch_run


@shared_task
def refresh_spend_nightly() -> int:
    """Nightly: recompute average monthly spend. Scheduled in the database (django-celery-beat)."""
    return dispatch_run("customers.refresh_spend", timezone.localdate().isoformat()).pk
