
from celery import shared_task
from django.db import connection

from core.batches import facts_forget_before
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
    CampaignGroupFact.objects.filter(day__lt=facts_forget_before(RESULTS_FACTS_KIND, night, 7)).delete()
    with connection.cursor() as cur:  # a launch tags a whole segment at once: plan the groups with its statistics
        cur.execute(MEMBERS_ANALYZE)
    return dispatch_run(RESULTS_FACTS_KIND, night.isoformat()).pk


@shared_task
def segment_figures_count(campaign_id: int) -> int | None:
    """A submitted campaign's segment counted for its review page (services.segment_figures_refresh)."""
    from marketing.services import segment_figures_refresh  # noqa: PLC0415 (tasks are imported before the registry)

    figures = segment_figures_refresh(campaign_id=campaign_id)
    return None if figures is None else sum(row["n"] for row in figures["rows"])


def on_campaign_submitted(*, campaign_id: int, **kwargs):
    """marketing.signals.campaign_submitted (after commit): count the segment soon, off the request."""
    segment_figures_count.delay(campaign_id)
