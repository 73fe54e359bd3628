from celery import shared_task
from django.utils import timezone

from arrears.evaluation import EVALUATE_KIND
from core.tasks import dispatch_run


@shared_task
def evaluate_nightly() -> int:
    """Scheduled 00:30 daily (django-celery-beat, editable in admin): late fees, then the barring policy."""
    return dispatch_run(EVALUATE_KIND, timezone.localdate().isoformat()).pk
