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

VERIFY_KIND = "retention.verify"
VERIFY_CHUNK = 50_000

VERIFY_SQL = """
WITH due AS (
    SELECT a.id, a.customer_id, a.score, (a.closed_at AT TIME ZONE %(tz)s)::date AS retained_on,
           EXISTS (SELECT 1 FROM customers_line l WHERE l.customer_id = a.customer_id AND l.status <> 'closed')
             AS line_open
    FROM retention_retentionalert a
    WHERE a.id >= %(lo)s AND a.id < %(hi)s AND a.verification = 'pending' AND a.verify_on <= %(today)s),
monthly AS (  -- billed per customer and period around the retention
    SELECT d.id, b.period, sum(b.amount) AS billed,
           b.period < date_trunc('month', d.retained_on)::date AS before
    FROM due d JOIN arrears_bill b ON b.customer_id = d.customer_id
     AND b.period >= (date_trunc('month', d.retained_on) - make_interval(months => %(window)s))::date
     AND b.period <= (date_trunc('month', d.retained_on) + make_interval(months => %(window)s))::date
     AND b.period <> date_trunc('month', d.retained_on)::date
    GROUP BY d.id, b.period, d.retained_on),
spend AS (
    SELECT id, avg(billed) FILTER (WHERE before) AS before, avg(billed) FILTER (WHERE NOT before) AS after
    FROM monthly GROUP BY id),
verified AS (
    UPDATE retention_retentionalert a SET
        verification = CASE WHEN d.line_open THEN 'confirmed' ELSE 'reverted' END,
        verified_on = %(today)s,
        status = CASE WHEN d.line_open THEN a.status ELSE 'churned' END,
        points = CASE WHEN d.line_open THEN %(base)s + a.score / %(per_risk)s ELSE 0 END,
        value_points = CASE WHEN d.line_open AND s.after > s.before THEN %(value_points)s ELSE 0 END
    FROM due d LEFT JOIN spend s ON s.id = d.id
    WHERE a.id = d.id
    RETURNING a.id, a.status, d.line_open)
INSERT INTO retention_alertevent (alert_id, at, by_id, from_status, to_status, note)
SELECT id, %(now)s, NULL, 'retained', status,
       CASE WHEN line_open THEN %(confirmed_note)s ELSE %(reverted_note)s END
FROM verified"""


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
    run = batches.batch_run_plan(kind=VERIFY_KIND, period=day.isoformat())
    for chunk_id in batches.pending_chunk_ids(run):
        batches.batch_chunk_run(chunk_id)
    run.refresh_from_db()
    return run.rows_affected
