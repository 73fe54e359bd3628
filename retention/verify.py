"""The daily verification of "retained" (issue 16 item 5) as a resumable, apply-once batch over alert id
ranges: an alert marked retained whose check day has come is confirmed when its customer still has an open
line, and reverts to churned otherwise; points are credited on confirmation (policies.verified_points, whose
SQL twin this is). One statement per chunk; an AlertEvent row records each outcome."""

from datetime import date

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core import batches
from core.batches import batch_register
from retention import policies
from retention.sql.alerts import VERIFY_SQL

VERIFY_KIND = "retention.verify"
VERIFY_CHUNK = 50_000


def verify_chunk(lo: int, hi: int, today: date) -> int:
    params = {"lo": lo, "hi": hi, "today": today, "tz": settings.TIME_ZONE, "now": timezone.now(),
              "window": policies.VALUE_WINDOW_MONTHS, "base": policies.POINTS_BASE,
              "per_risk": policies.POINTS_PER_RISK, "value_points": policies.VALUE_POINTS,
              "confirmed_note": "verified: the customer still has an open line",
              "reverted_note": "verified: no open line left, the retention reverts to churned"}
    with connection.cursor() as cur:
        cur.execute(VERIFY_SQL, params)
        return cur.rowcount


@batch_register(VERIFY_KIND, table="retention_retentionalert", chunk_size=VERIFY_CHUNK)
def verify(lo: int, hi: int, run) -> int:
    return verify_chunk(lo, hi, date.fromisoformat(run.period))


def verify_in_process(day: date) -> int:
    """Run (or finish) the day's verification here, without workers: tests and the demo."""
    return batches.batch_run_in_process(VERIFY_KIND, day.isoformat()).rows_affected
