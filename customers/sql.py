"""Customers' raw SQL: a customer's status from their lines, the average-spend refresh.

Set-based over ids or id ranges; the batches' dates come from the run's period (%(day)s), never now()."""

SEVERITY = ("active", "one_way_barred", "two_way_barred", "in_retention")

# Customers given by `{customers}` (a subquery of ids) get the status their lines make, where it differs.
REFRESH_SQL = f"""
UPDATE customers_customer c SET status = w.status, updated_at = now()
FROM (
    SELECT l.customer_id,
           coalesce((ARRAY{list(SEVERITY)})[max(array_position(ARRAY{list(SEVERITY)}, l.status::text))],
                    'closed') AS status
    FROM customers_line l
    WHERE l.customer_id IN ({{customers}})
    GROUP BY l.customer_id
) w
WHERE c.id = w.customer_id AND c.status IS DISTINCT FROM w.status
"""

# The customers of lines in [lo, hi) whose status a run changed at `now` (the status log it wrote).
CHANGED_IN_RUN = """SELECT l.customer_id FROM customers_linestatuschange ch JOIN customers_line l ON l.id = ch.line_id
                    WHERE ch.line_id >= %(lo)s AND ch.line_id < %(hi)s AND ch.changed_at = %(now)s"""


# Every customer with id in [lo, hi): the nightly re-derivation and the re-derivation after a wipe.
IN_RANGE = "SELECT id FROM customers_customer WHERE id >= %(lo)s AND id < %(hi)s"


# Average monthly bill over the 6 months before the run's day, for customers with id in [lo, hi).
SPEND_SQL = """WITH last6 AS (
    SELECT u.customer_id, sum(u.bill_amount) / count(DISTINCT u.month) AS spend
    FROM customers_usagesummary u
    WHERE u.customer_id >= %(lo)s AND u.customer_id < %(hi)s
      AND u.month >= date_trunc('month', %(day)s::date) - interval '6 months'
    GROUP BY u.customer_id
)
UPDATE customers_customer c SET avg_monthly_spend = round(last6.spend, 2)
FROM last6
WHERE c.id = last6.customer_id AND c.avg_monthly_spend IS DISTINCT FROM round(last6.spend, 2)
"""
