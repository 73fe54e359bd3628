"""Workspace's raw SQL: the home page's nightly revenue facts and their reads."""

# A chunk of customers' billed revenue by region and month, for the run's day (one row per dimension value).
REVENUE_FACTS_SQL = """
INSERT INTO workspace_homerevenuefact (day, chunk_lo, region_id, month, bill)
SELECT %(day)s, %(lo)s, c.region_id, u.month, sum(u.bill_amount)
FROM customers_usagesummary u JOIN customers_customer c ON c.id = u.customer_id
WHERE u.customer_id >= %(lo)s AND u.customer_id < %(hi)s
GROUP BY c.region_id, u.month
"""

FORGET_OLD_FACTS_SQL = "DELETE FROM workspace_homerevenuefact WHERE day < %s"


def revenue_trend_sql(*, by_region: bool) -> str:
    """A night's revenue by month, newest first (parameters: day, [region id], months), for the province or a
    region."""
    where = "AND region_id = %s" if by_region else ""
    return f"""SELECT month, sum(bill) FROM workspace_homerevenuefact WHERE day = %s {where}
               GROUP BY month ORDER BY month DESC LIMIT %s"""
