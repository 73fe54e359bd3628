"""Set-based SQL shared by the real-time path (one line) and the nightly batch (an id range of lines)."""

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
