"""The nightly retention scan as a resumable, apply-once batch run (period = the scan date)."""

from datetime import date

from django.db import connection

from core.batches import register_batch
from retention import selectors, signals

# ~1 s per 50k customers with their 12 months of usage (same shape as the credit rating chunks).
SCAN_CHUNK = 50_000
SCAN_KIND = "retention.scan"


def scan_chunk(lo: int, hi: int, today: date) -> int:
    """Score customers with id in [lo, hi) on `today` and open their alerts; returns alerts opened."""
    config = selectors.scan_config()
    params = {"lo": lo, "hi": hi, "alert_threshold": config.alert_threshold, "note": "nightly scan",
              **signals.window_params(today, cooldown_days=config.cooldown_days)}
    with connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # compiling this statement costs more (~0.6 s) than JIT saves
        cur.execute(signals.scan_sql(config.signals, params), params)
        return cur.rowcount


@register_batch(SCAN_KIND, table="customers_customer", chunk_size=SCAN_CHUNK)
def scan(lo: int, hi: int, run) -> int:
    return scan_chunk(lo, hi, date.fromisoformat(run.period))
