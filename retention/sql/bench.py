"""The retention bench's statements (retention/management/commands/bench_retention.py): the floor the nightly
scan is measured against (the same inputs read and aggregated from scratch, no signal logic or writes) and the
customers' ids it cuts into chunks. Never run by the product."""

FLOOR_SQL = """
SELECT (SELECT sum(spend) + sum(voice) + sum(data) + sum(hotline) + sum(saturation) + count(*) FILTER (WHERE bb)
        FROM (  -- consume every column, or the planner skips the aggregates and the table
            SELECT customer_id, month, sum(bill_amount) AS spend, sum(voice_minutes) AS voice, sum(data_mb) AS data,
                   sum(competitor_hotline_calls) AS hotline, avg(plan_saturation) AS saturation,
                   bool_or(broadband_bundled) AS bb
            FROM customers_usagesummary
            WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month >= %(m12)s AND month < %(month0)s
            GROUP BY customer_id, month) monthly),
       (SELECT count(DISTINCT customer_id) FROM arrears_bill
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND period >= %(m12)s
          AND paid_amount < amount AND due_date < %(today)s),
       (SELECT count(DISTINCT customer_id) FROM customers_device
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND dual_sim AND started_on >= %(device_since)s),
       (SELECT count(*) FROM customers_line
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND status <> 'closed'),
       (SELECT count(account_manager_id) + count(DISTINCT status) + max(join_date - DATE '2000-01-01')
               + sum(avg_monthly_spend) + count(DISTINCT lifecycle_stage)
        FROM customers_customer WHERE id >= %(lo)s AND id < %(hi)s),  -- whom the scan scores
       (SELECT count(a.expires_on) + coalesce(sum(s.members_left), 0)  -- members' enterprise agreements, leavers
        FROM customers_line l
        LEFT JOIN enterprise_agreement a ON a.account_id = l.enterprise_id AND a.expires_on >= %(today)s
        LEFT JOIN enterprise_enterprisesnapshot s ON s.account_id = l.enterprise_id AND s.month = %(m1)s
        WHERE l.customer_id >= %(lo)s AND l.customer_id < %(hi)s AND l.enterprise_id IS NOT NULL
          AND l.status <> 'closed')
"""

NTH_CUSTOMER_ID = "SELECT id FROM customers_customer ORDER BY id OFFSET %s LIMIT 1"
FIRST_CUSTOMER_ID = "SELECT min(id) FROM customers_customer"
CUSTOMER_ID_END = "SELECT max(id) + 1 FROM customers_customer"
