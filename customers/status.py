"""A customer's status is their worst open line's (DOMAIN.md §3): active < one-way barred < two-way barred <
in retention; closed when every line is. Kept in step, set-based, by whoever changes line statuses."""

from django.db import connection

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
# Customers given by `{customers}` (a subquery of ids) get the status their lines make, where it differs.
REFRESH_SQL = _REFRESH.replace("{lines}", "l.customer_id IN ({customers})")
# The customers given as an id array: their lines read by the customer index, not by hashing every line.
REFRESH_IDS_SQL = _REFRESH.replace("{lines}", "l.customer_id = ANY(%(ids)s::bigint[])")
# Customers with id in [lo, hi): their lines read by an index range, not a semi-join over every line.
REFRESH_RANGE_SQL = _REFRESH.replace("{lines}", "l.customer_id >= %(lo)s AND l.customer_id < %(hi)s")

def refresh_customer_status(customer_ids) -> int:
    """Bring these customers' status in line with their lines; returns how many changed."""
    ids = list(customer_ids)
    if not ids:
        return 0
    with connection.cursor() as cur:
        cur.execute(REFRESH_IDS_SQL, {"ids": ids})
        return cur.rowcount


def refresh_customer_status_range(lo: int, hi: int) -> int:
    """Set-based: customers with id in [lo, hi) take the status their lines make; returns how many changed."""
    with connection.cursor() as cur:
        cur.execute(REFRESH_RANGE_SQL, {"lo": lo, "hi": hi})
        return cur.rowcount
