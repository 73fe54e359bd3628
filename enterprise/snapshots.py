"""The monthly enterprise snapshot, derived set-based from what the outside world sent (the batch
`enterprise.snapshot`, period 'YYYY-MM' = the month snapshotted): nothing here is typed in or generated.

Per chunk of account ids, one statement reads the group's member lines (customers.Line.enterprise), their bills,
payments, usage summaries and status log, the group's products, its development requests and (hook below) its care
contacts, and writes one row per account and month (upsert: a re-run or a re-derivation after a wipe gives the same
row). The 17 segmentation rules (enterprise/batches.py) read these rows and the agreements.

What each figure is (month = [first day, first day of the next month)):
- member_count: member lines activated before the month's end and not closed at it (the status log's last word);
- members_left: member lines closed in the month (any closure: billing's, the barring policy's);
- cancellations: member lines cancelled in the month by billing or staff (closures not made by the barring policy);
- returning_members: member lines reopened in the month (closed → another status);
- business_changes: other status changes billing or staff made on member lines in the month (not barring);
- revenue: the member lines' bills for the month plus the group's products held in it (monthly revenue);
- arrears_amount: what member lines owed at the month's end on bills due by then (paid since added back);
- competitor_lines: where the group has competitors present, its headcount not on our network;
- competitor_hotline_calls: the member lines' calls to competitor hotlines in the month (usage summaries);
- data_anomalies: member lines whose usage summary's bill amount disagrees with billing's bill for the month;
- personalised_requests: development requests opened for the group in the month;
- products_held: products the group held at the month's end;
- complaints: care contacts of kind complaint on member lines in the month — COMPLAINTS_SQL.

The statements: enterprise.sql.snapshots.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from core import batches
from core.batches import batch_register
from enterprise.sql.snapshots import ACCOUNT_ID_BOUNDS, COMPLAINTS_SQL, SNAPSHOT_SQL

SNAPSHOT_KIND = "enterprise.snapshot"
SNAPSHOT_CHUNK = 5_000  # accounts (~2,000 groups per million customers)
ZONE = ZoneInfo(settings.TIME_ZONE)  # the operator's (Asia/Shanghai)


def month_of(period: str) -> date:
    return date(int(period[:4]), int(period[5:7]), 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_params(month: date) -> dict:
    following = _next_month(month)
    return {"month": month, "next": following,
            "month_start": datetime.combine(month, time(0), tzinfo=ZONE),
            "next_start": datetime.combine(following, time(0), tzinfo=ZONE)}


def snapshot_chunk(lo: int, hi: int, month: date) -> int:
    """Derive the snapshots of accounts with id in [lo, hi) for `month`; returns rows written."""
    with connection.cursor() as cur:
        cur.execute(SNAPSHOT_SQL.format(complaints=COMPLAINTS_SQL), {"lo": lo, "hi": hi, **month_params(month)})
        return cur.rowcount


@batch_register(SNAPSHOT_KIND, table="enterprise_enterpriseaccount", chunk_size=SNAPSHOT_CHUNK)
def snapshot(lo: int, hi: int, run) -> int:
    return snapshot_chunk(lo, hi, month_of(run.period))


def previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def snapshot_in_process(month: date) -> int:
    """Derive (or finish deriving) a month's snapshots here, without workers: for replays, re-derivation, tests."""
    return batches.batch_run_in_process(SNAPSHOT_KIND, f"{month:%Y-%m}").rows_affected


def snapshots_rederive(month: date) -> int:
    """Recompute a month's snapshots for every account, outside the apply-once run (after a wipe or a correction
    of the inputs): the same statement over the same id-range chunks."""
    with connection.cursor() as cur:
        cur.execute(ACCOUNT_ID_BOUNDS)
        lo, hi = cur.fetchone()
    if lo is None:
        return 0
    return sum(snapshot_chunk(start, min(start + SNAPSHOT_CHUNK, hi + 1), month)
               for start in range(lo, hi + 1, SNAPSHOT_CHUNK))
