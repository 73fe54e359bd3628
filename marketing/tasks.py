from celery import shared_task
from django.utils import timezone

from core.tasks import dispatch_run
from marketing.batches import FACTS_KIND


@shared_task
def refresh_usage_facts_nightly() -> int:
    """Scheduled 04:10 daily (django-celery-beat, editable in admin): the saturation the segment rules read."""
    return dispatch_run(FACTS_KIND, timezone.localdate().isoformat()).pk
