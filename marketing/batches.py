"""Set-based batch work for marketing, registered with core.batches."""

from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from core.batches import batch_register
from core.choices import BatchStatus
from core.models import BatchRun
from marketing import sql
from marketing.filtersets import saturation_window
from marketing.models import Campaign, CampaignGroupFact
from marketing.results import group_facts_write

FACTS_KIND = "marketing.refresh_usage_facts"
# ~0.15 s per 50k customers on the 2-core dev machine (3 months of usage through usage_customer_month).
FACTS_CHUNK = 50_000


@batch_register(FACTS_KIND, table="customers_customer", chunk_size=FACTS_CHUNK)
def refresh_usage_facts(lo: int, hi: int, run=None) -> int:
    """Plan saturation of the 3 complete months before the run's day, for customers with id in [lo, hi)."""
    today = date.fromisoformat(run.period) if run is not None else None
    first, end = saturation_window(today)
    params = {"lo": lo, "hi": hi, "first": first, "end": end}
    with connection.cursor() as cur:
        cur.execute(sql.FACTS_UPSERT_SQL, params)
        rows = cur.rowcount
        # customers without usage in the window have no saturation
        cur.execute(sql.FACTS_STALE_DELETE_SQL, params)
        return rows + cur.rowcount


RESULTS_FACTS_KIND = "marketing.results_facts"
RESULTS_FACTS_CHUNK = 100_000  # customers per chunk


@batch_register(RESULTS_FACTS_KIND, table="customers_customer", chunk_size=RESULTS_FACTS_CHUNK)
def results_facts_refresh(lo: int, hi: int, run) -> int:
    """The result groups of every campaign launched before the run began, for customers in [lo, hi), as of the
    run's night (marketing.results.group_facts_write)."""
    day = date.fromisoformat(run.period)
    return sum(group_facts_write(campaign=campaign, day=day, lo=lo, hi=hi)
               for campaign in launched_before(run.started_at))


def launched_before(moment):
    return Campaign.objects.filter(launched_at__lt=moment).order_by("pk")


def results_facts_state(campaign) -> tuple[date | None, bool]:
    """(the night of the latest complete results facts if they hold `campaign`, whether its first count is tonight's)
    from one read of that run.

    Held: it was launched before that run began (a campaign without a single member or baseline customer has no rows
    and is read live, at no cost). First count tonight: launched after that run began, while the run is last
    night's or tonight's (the 05:50 job works); the next night's run counts the province's or a region's groups.
    Until then they are not counted live either: a few hours after the launch no member has a billing period after
    tagging, and the live count of a province-wide segment costs seconds. When the job has not completed for
    longer, the groups are counted live (slow, not wrong)."""
    run = (BatchRun.objects.filter(kind=RESULTS_FACTS_KIND, status=BatchStatus.DONE).order_by("-period")
           .only("period", "started_at").first())
    if run is None or campaign.launched_at is None:
        return None, False
    day = date.fromisoformat(run.period)
    if campaign.launched_at >= run.started_at:
        return None, day >= timezone.localdate() - timedelta(days=1)
    return (day if CampaignGroupFact.objects.filter(campaign=campaign, day=day).exists() else None), False
