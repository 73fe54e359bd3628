"""Customers' raw SQL: a customer's status from their lines, the average-spend refresh.

Set-based over ids or id ranges; the batches' dates come from the run's period (%(day)s), never now()."""

SEVERITY = ("active", "one_way_barred", "two_way_barred", "in_retention")

_REFRESH = f"""
UPDATE customers_customer c SET status = w.status, updated_at = now()
FROM (
    SELECT l.customer_id,
           coalesce((ARRAY{list(SEVERITY)})[max(array_position(ARRAY{list(SEVERITY)}, l.status::text))],
                    'closed') AS status
    FROM customers_line l
    WHERE {{lines}}
    GROUP BY l.customer_id
) w
WHERE c.id = w.customer_id AND c.status IS DISTINCT FROM w.status
"""
# The customers given as an id array: their lines read by the customer index, not by hashing every line.
REFRESH_IDS_SQL = _REFRESH.replace("{lines}", "l.customer_id = ANY(%(ids)s::bigint[])")
# Customers with id in [lo, hi): their lines read by an index range, not a semi-join over every line.
REFRESH_RANGE_SQL = _REFRESH.replace("{lines}", "l.customer_id >= %(lo)s AND l.customer_id < %(hi)s")


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
