from celery import shared_task

from arrears.evaluation import EVALUATE_KIND
from core.tasks import dispatch_with_catch_up, night_of


@shared_task
def evaluate_nightly(day: str | None = None) -> int:
    """Scheduled 00:30 daily (django-celery-beat, editable in admin): late fees, then the barring policy; after an
    outage, first a run for every night missed since the last done one, oldest first."""
    return dispatch_with_catch_up(EVALUATE_KIND, night_of(day))[-1].pk
