from celery import shared_task

from core.tasks import dispatch_run, night_of
from marketing.batches import FACTS_KIND


@shared_task
def refresh_usage_facts_nightly(day: str | None = None) -> int:
    """Scheduled 04:10 daily (django-celery-beat, editable in admin): the saturation the segment rules read."""
    return dispatch_run(FACTS_KIND, night_of(day).isoformat()).pk
