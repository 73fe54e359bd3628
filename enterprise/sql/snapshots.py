"""The monthly enterprise snapshots' statement (enterprise.snapshots: per chunk of accounts, the month's figures
derived from the member lines, bills, payments, usage, products and care contacts)."""

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

# The accounts' id bounds, to cut a re-derivation into chunks.
ACCOUNT_ID_BOUNDS = "SELECT min(id), max(id) FROM enterprise_enterpriseaccount"
