"""The arrears app's raw SQL (issue #17: one home). Here what the real-time path (one line) and the nightly batch (an
id range of lines) share; the statements of each path by topic in the modules of this package (evaluation,
realtime, intake, report, value, demo, bench)."""

from django.db import connection

# Large generated statements: compiling them costs more than it saves.
JIT_OFF = "SET LOCAL jit = off"

# Accounts for lines in [lo, hi) that have none yet, opened with what billing reported before the ledger
# existed: the latest prepaid balance of the usage summaries minus the bills still unpaid; that opening is
# written to the ledger.
ENSURE_ACCOUNTS = """
WITH missing AS (
    SELECT l.id AS line_id, l.customer_id,
           coalesce((SELECT u.prepaid_balance FROM customers_usagesummary u WHERE u.line_id = l.id
                     ORDER BY u.month DESC LIMIT 1), 0)
         - coalesce((SELECT sum(b.amount - b.paid_amount) FROM arrears_bill b
                     WHERE b.line_id = l.id AND b.paid_amount < b.amount), 0) AS opening,
           CASE WHEN l.status IN ('one_way_barred', 'two_way_barred', 'in_retention', 'closed')
                THEN l.status ELSE 'active' END AS state
    FROM customers_line l
    WHERE l.id >= %(lo)s AND l.id < %(hi)s
      AND NOT EXISTS (SELECT 1 FROM arrears_lineaccount a WHERE a.line_id = l.id)
),
opened AS (
    INSERT INTO arrears_lineaccount (line_id, customer_id, balance, state, state_since, exempt_reason)
    SELECT line_id, customer_id, opening, state, %(today)s, '' FROM missing
    ON CONFLICT (line_id) DO NOTHING
    RETURNING line_id, balance
)
INSERT INTO arrears_ledgerentry (line_id, kind, amount, posted_at, reference, note)
SELECT line_id, 'opening', balance, %(now)s, 'opening-' || line_id,
       'prepaid balance less unpaid bills, before the ledger'
FROM opened
ON CONFLICT (reference) DO NOTHING
"""


# Arrears age from the due date of the oldest unpaid bill past due (DOMAIN.md §5: arrears begin when a bill is
# past due unpaid); a line below 0 with no bill past due (an opening balance, a bill not yet due) keeps the day
# it went below 0. Out of arrears (usable ≥ 0): no age. The collection buckets, the 30 days to two-way barring
# and the report by age all read `arrears_since`.
AGING = """
WITH aged AS (
    SELECT a.line_id,
           CASE WHEN a.balance + c.credit_limit < 0 THEN
               coalesce((SELECT min(b.due_date) FROM arrears_bill b
                         WHERE b.line_id = a.line_id AND b.paid_amount < b.amount AND b.due_date < %(today)s),
                        a.arrears_since, %(today)s)
           END AS since
    FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
    WHERE a.line_id >= %(lo)s AND a.line_id < %(hi)s AND a.state <> 'closed' {due}
)
UPDATE arrears_lineaccount a SET arrears_since = aged.since
FROM aged WHERE a.line_id = aged.line_id AND a.arrears_since IS DISTINCT FROM aged.since
"""


def aging_refresh(lo: int, hi: int, today) -> int:
    """Re-derive the arrears age of lines in [lo, hi) on `today` from their bills and balance: the nightly step
    alone, for a payment's real-time effect (it may settle the oldest bill) and for re-deriving after a wipe."""
    with connection.cursor() as cur:
        cur.execute(AGING.format(due=""), {"lo": lo, "hi": hi, "today": today})
        return cur.rowcount
