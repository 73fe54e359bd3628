"""The home page's "at a glance" figures pre-aggregated each night: billed revenue by month (batch
`workspace.home_facts`, 05:55, per id-range chunk of customers, set-based, one row per chunk and dimension value,
in the chunk's transaction; core.batches: resumable, apply-once per day) and the customers by star and by status,
which the credit report's facts of the same night already count (credit.report_facts, 05:35: read, not counted
twice). The page says of which night: one on which both runs are done.

Grain: by region (core.scope.aggregate_scope: a province-wide role, a regional manager); a manager's or a lead's
book is small and read live by customers.selectors.dashboard_figures, the live twin these readers answer like on
the facts' night (tests/workspace/test_home_facts.py)."""

from datetime import date

from django.db import connection

from core.batches import batch_register, facts_forget_before
from core.choices import BatchStatus
from core.models import BatchRun
from credit.report_facts import REPORT_FACTS_KIND, customer_counts
from customers.choices import ServiceStatus
from workspace.sql import FORGET_OLD_FACTS_SQL, REVENUE_FACTS_SQL, revenue_trend_sql

HOME_FACTS_KIND = "workspace.home_facts"
HOME_FACTS_CHUNK = 100_000  # customers per chunk: ~1 s with their usage summaries at 1M
KEEP_DAYS = 7  # older nights' facts are deleted when a new night's run is planned
TREND_MONTHS = 12  # the revenue chart's months, as the live figures


@batch_register(HOME_FACTS_KIND, table="customers_customer", chunk_size=HOME_FACTS_CHUNK)
def home_facts_refresh(lo: int, hi: int, run) -> int:
    """The chunk's facts for the run's day. A chunk redone after a crash had its rows rolled back with it."""
    with connection.cursor() as cur:
        cur.execute(REVENUE_FACTS_SQL, {"day": date.fromisoformat(run.period), "lo": lo, "hi": hi})
        return cur.rowcount


def old_facts_forget(day: date) -> None:
    """Nights older than a week before `day`, but never the latest complete one."""
    with connection.cursor() as cur:
        cur.execute(FORGET_OLD_FACTS_SQL, [facts_forget_before(HOME_FACTS_KIND, day, KEEP_DAYS)])


def facts_day() -> date | None:
    """The latest night whose revenue facts and the credit report's customer counts are both complete (every
    chunk of both runs done), or None."""
    done = BatchRun.objects.filter(status=BatchStatus.DONE)
    period = (done.filter(kind=HOME_FACTS_KIND, period__in=done.filter(kind=REPORT_FACTS_KIND).values("period"))
              .order_by("-period").values_list("period", flat=True).first())
    return date.fromisoformat(period) if period else None


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def figures(day: date, region_id: int | None) -> dict:
    """What dashboard_figures answers for the province (region None) or a region, as of `day`'s night: the
    customers by star and status (their total) and the revenue trend; the user's own callbacks are not here."""
    params = [] if region_id is None else [region_id]
    by_star, by_status = {}, {}
    for star, status, n in customer_counts(day, region_id):
        by_star[star] = by_star.get(star, 0) + n
        by_status[status] = by_status.get(status, 0) + n
    trend = _fetch(revenue_trend_sql(by_region=region_id is not None), [day, *params, TREND_MONTHS])
    return {
        "total_customers": sum(by_star.values()),
        "by_star": [(star, by_star.get(star, 0)) for star in (5, 4, 3, 2, 1, 0, None)],
        "by_status": [(label, by_status.get(value, 0)) for value, label in ServiceStatus.choices],
        "revenue_trend": [{"month": month.strftime("%Y-%m"), "bill": str(bill)} for month, bill in reversed(trend)],
    }
