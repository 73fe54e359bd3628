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
- complaints: care contacts of kind complaint on member lines in the month — COMPLAINTS_SQL below.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import connection

from core import batches
from core.batches import batch_register

SNAPSHOT_KIND = "enterprise.snapshot"
SNAPSHOT_CHUNK = 5_000  # accounts (~2,000 groups per million customers)
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Complaints per account in the month: care contacts of kind complaint on member lines (customers.CareContact).
COMPLAINTS_SQL = """SELECT m.account_id, count(*) AS complaints
    FROM member m JOIN customers_carecontact cc ON cc.line_id = m.line_id
    WHERE cc.kind = 'complaint' AND cc.contacted_at >= %(month_start)s AND cc.contacted_at < %(next_start)s
    GROUP BY m.account_id"""

SNAPSHOT_SQL = """
WITH member AS (
    SELECT l.enterprise_id AS account_id, l.id AS line_id, l.activated_on, l.closed_on
    FROM customers_line l WHERE l.enterprise_id >= %(lo)s AND l.enterprise_id < %(hi)s
),
last_status AS (  -- each member line's status at the month's end, from the status log
    SELECT DISTINCT ON (ch.line_id) ch.line_id, ch.to_status
    FROM customers_linestatuschange ch JOIN member m ON m.line_id = ch.line_id
    WHERE ch.changed_at < %(next_start)s
    ORDER BY ch.line_id, ch.changed_at DESC, ch.id DESC
),
members AS (
    SELECT m.account_id,
           count(*) FILTER (WHERE m.activated_on < %(next)s AND coalesce(m.closed_on >= %(next)s, true)
                              AND coalesce(s.to_status, 'active') <> 'closed') AS member_count
    FROM member m LEFT JOIN last_status s ON s.line_id = m.line_id
    GROUP BY m.account_id
),
changes AS (
    SELECT m.account_id,
           count(DISTINCT ch.line_id) FILTER (WHERE ch.to_status = 'closed') AS members_left,
           count(*) FILTER (WHERE ch.to_status = 'closed' AND ch.source NOT LIKE 'barring-%%') AS cancellations,
           count(DISTINCT ch.line_id) FILTER (WHERE ch.from_status = 'closed' AND ch.to_status <> 'closed')
               AS returning_members,
           count(*) FILTER (WHERE ch.from_status <> 'closed' AND ch.to_status <> 'closed'
                              AND ch.source NOT LIKE 'barring-%%') AS business_changes
    FROM customers_linestatuschange ch JOIN member m ON m.line_id = ch.line_id
    WHERE ch.changed_at >= %(month_start)s AND ch.changed_at < %(next_start)s
    GROUP BY m.account_id
),
billed AS (
    SELECT m.account_id, sum(b.amount) AS amount
    FROM arrears_bill b JOIN member m ON m.line_id = b.line_id
    WHERE b.period = %(month)s GROUP BY m.account_id
),
paid_since AS (
    SELECT p.line_id, sum(p.amount) AS amount
    FROM arrears_payment p JOIN member m ON m.line_id = p.line_id
    WHERE p.paid_at >= %(next_start)s GROUP BY p.line_id
),
owed AS (  -- per line: bills due by the month's end less what was paid by then (as the late fees count it)
    SELECT m.account_id,
           least(sum(b.amount - b.paid_amount) FILTER (WHERE b.due_date < %(next)s) + coalesce(max(ps.amount), 0),
                 greatest(sum(b.amount - b.paid_amount) FILTER (WHERE b.due_date < %(next)s),
                          sum(b.amount) FILTER (WHERE b.due_date < %(next)s)
                          - greatest(sum(b.paid_amount) - coalesce(max(ps.amount), 0), 0))) AS amount
    FROM arrears_bill b JOIN member m ON m.line_id = b.line_id LEFT JOIN paid_since ps ON ps.line_id = b.line_id
    GROUP BY m.account_id, b.line_id
    HAVING bool_or(b.due_date < %(next)s AND (b.paid_amount < b.amount OR ps.amount IS NOT NULL))
),
arrears AS (SELECT account_id, sum(amount) AS amount FROM owed GROUP BY account_id),
usage AS (
    SELECT m.account_id, sum(u.competitor_hotline_calls) AS hotline,
           count(*) FILTER (WHERE b.amount IS NOT NULL AND b.amount <> u.bill_amount) AS anomalies
    FROM customers_usagesummary u JOIN member m ON m.line_id = u.line_id
    LEFT JOIN arrears_bill b ON b.line_id = u.line_id AND b.period = u.month
    WHERE u.month = %(month)s GROUP BY m.account_id
),
products AS (
    SELECT account_id, count(*) AS held, sum(monthly_revenue) AS revenue
    FROM enterprise_productholding
    WHERE account_id >= %(lo)s AND account_id < %(hi)s AND since < %(next)s GROUP BY account_id
),
requests AS (
    SELECT account_id, count(*) AS n FROM enterprise_opportunity
    WHERE account_id >= %(lo)s AND account_id < %(hi)s AND kind = 'development_request'
      AND created_at >= %(month_start)s AND created_at < %(next_start)s
    GROUP BY account_id
),
complaints AS ({complaints}),
figures AS (
    SELECT a.id AS account_id,
           coalesce(bl.amount, 0) + coalesce(pr.revenue, 0) AS revenue,
           coalesce(mb.member_count, 0) AS member_count,
           CASE WHEN a.competitors <> '' THEN greatest(a.headcount - coalesce(mb.member_count, 0), 0) ELSE 0 END
               AS competitor_lines,
           coalesce(ch.members_left, 0) AS members_left,
           coalesce(ch.returning_members, 0) AS returning_members,
           coalesce(pr.held, 0) AS products_held,
           coalesce(ch.cancellations, 0) AS cancellations,
           coalesce(ch.business_changes, 0) AS business_changes,
           coalesce(co.complaints, 0) AS complaints,
           coalesce(us.hotline, 0) AS competitor_hotline_calls,
           coalesce(rq.n, 0) AS personalised_requests,
           coalesce(us.anomalies, 0) AS data_anomalies,
           coalesce(ar.amount, 0) AS arrears_amount
    FROM enterprise_enterpriseaccount a
    LEFT JOIN members mb ON mb.account_id = a.id
    LEFT JOIN changes ch ON ch.account_id = a.id
    LEFT JOIN billed bl ON bl.account_id = a.id
    LEFT JOIN arrears ar ON ar.account_id = a.id
    LEFT JOIN usage us ON us.account_id = a.id
    LEFT JOIN products pr ON pr.account_id = a.id
    LEFT JOIN requests rq ON rq.account_id = a.id
    LEFT JOIN complaints co ON co.account_id = a.id
    WHERE a.id >= %(lo)s AND a.id < %(hi)s
      -- a group with nothing in the month (no member, no product, no bill) has no snapshot for it
      AND (mb.member_count > 0 OR ch.account_id IS NOT NULL OR bl.amount IS NOT NULL OR pr.held > 0)
)
INSERT INTO enterprise_enterprisesnapshot (account_id, month, revenue, member_count, competitor_lines, members_left,
    returning_members, products_held, cancellations, business_changes, complaints, competitor_hotline_calls,
    personalised_requests, data_anomalies, arrears_amount)
SELECT account_id, %(month)s, revenue, member_count, competitor_lines, members_left, returning_members,
       products_held, cancellations, business_changes, complaints, competitor_hotline_calls, personalised_requests,
       data_anomalies, arrears_amount
FROM figures
ON CONFLICT (account_id, month) DO UPDATE SET
    revenue = EXCLUDED.revenue, member_count = EXCLUDED.member_count, competitor_lines = EXCLUDED.competitor_lines,
    members_left = EXCLUDED.members_left, returning_members = EXCLUDED.returning_members,
    products_held = EXCLUDED.products_held, cancellations = EXCLUDED.cancellations,
    business_changes = EXCLUDED.business_changes, complaints = EXCLUDED.complaints,
    competitor_hotline_calls = EXCLUDED.competitor_hotline_calls,
    personalised_requests = EXCLUDED.personalised_requests, data_anomalies = EXCLUDED.data_anomalies,
    arrears_amount = EXCLUDED.arrears_amount
"""


def month_of(period: str) -> date:
    return date(int(period[:4]), int(period[5:7]), 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_params(month: date) -> dict:
    following = _next_month(month)
    return {"month": month, "next": following,
            "month_start": datetime.combine(month, time(0), tzinfo=SHANGHAI),
            "next_start": datetime.combine(following, time(0), tzinfo=SHANGHAI)}


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
    run = batches.batch_run_plan(kind=SNAPSHOT_KIND, period=f"{month:%Y-%m}")
    for chunk_id in batches.pending_chunk_ids(run):
        batches.batch_chunk_run(chunk_id)
    run.refresh_from_db()
    return run.rows_affected


def snapshots_rederive(month: date) -> int:
    """Recompute a month's snapshots for every account, outside the apply-once run (after a wipe or a correction
    of the inputs): the same statement over the same id-range chunks."""
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM enterprise_enterpriseaccount")
        lo, hi = cur.fetchone()
    if lo is None:
        return 0
    return sum(snapshot_chunk(start, min(start + SNAPSHOT_CHUNK, hi + 1), month)
               for start in range(lo, hi + 1, SNAPSHOT_CHUNK))
