from datetime import timedelta

from celery import shared_task
from django.db import connection

from core.tasks import dispatch_run, night_of
from marketing.batches import FACTS_KIND, RESULTS_FACTS_KIND
from marketing.sql import MEMBERS_ANALYZE


@shared_task
def refresh_usage_facts_nightly(day: str | None = None) -> int:
    """Scheduled 04:10 daily (django-celery-beat, editable in admin): the saturation the segment rules read."""
    return dispatch_run(FACTS_KIND, night_of(day).isoformat()).pk


@shared_task
def results_facts_nightly(day: str | None = None) -> int:
    """Scheduled 05:50 daily, after the arrears evaluation and the star snapshot: the launched campaigns' result
    groups of the night (marketing.results), older nights' deleted."""
    from marketing.models import CampaignGroupFact  # noqa: PLC0415 (tasks are imported before the app registry)

    night = night_of(day)
    CampaignGroupFact.objects.filter(day__lt=night - timedelta(days=7)).delete()
    with connection.cursor() as cur:  # a launch tags a whole segment at once: plan the groups with its statistics
        cur.execute(MEMBERS_ANALYZE)
    return dispatch_run(RESULTS_FACTS_KIND, night.isoformat()).pk
