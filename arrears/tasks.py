from celery import shared_task

from arrears.evaluation import EVALUATE_KIND
from core.tasks import dispatch_run, night_of


@shared_task
def evaluate_nightly(day: str | None = None) -> int:
    """Scheduled 00:30 daily (django-celery-beat, editable in admin): late fees, then the barring policy."""
    return dispatch_run(EVALUATE_KIND, night_of(day).isoformat()).pk
