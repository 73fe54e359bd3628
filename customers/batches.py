"""Set-based batch work for customers, registered with core.batches."""

from datetime import date

from django.db import connection
from django.utils import timezone

from core.batches import batch_register
from customers import sql
from customers.status import customer_status_range_refresh

# ~0.4 s per 50k customers on the 2-core dev machine (6 months of usage joined).
SPEND_CHUNK = 50_000


def _day(run) -> date:
    """The run's night (its period), so a night caught up later, or a replayed one, averages its own months;
    today for a call without a run or a run not named by a date (a bench's, a drill's)."""
    try:
        return date.fromisoformat(run.period)
    except (AttributeError, ValueError):
        return timezone.localdate()


@batch_register("customers.refresh_spend", table="customers_customer", chunk_size=SPEND_CHUNK,
                analyze=("customers_customer",))
def refresh_avg_spend(lo: int, hi: int, run=None) -> int:
    """Average monthly bill over the last 6 months of usage, for customers with id in [lo, hi)."""
    with connection.cursor() as cur:
        cur.execute(sql.SPEND_SQL, {"lo": lo, "hi": hi, "day": _day(run)})
        return cur.rowcount


STATUS_CHUNK = 50_000


@batch_register("customers.status", table="customers_customer", chunk_size=STATUS_CHUNK)
def refresh_status(lo: int, hi: int, run=None) -> int:
    """Customer status derived from their lines' (the worst open line's; closed when all are), for every customer
    of the range: the paths that change a line keep it in step; this re-derives it whole (after a wipe, a load)."""
    return customer_status_range_refresh(lo=lo, hi=hi)
