"""A customer's status is their worst open line's (DOMAIN.md §3): active < one-way barred < two-way barred <
in retention; closed when every line is. Kept in step, set-based, by whoever changes line statuses."""

from django.db import connection

from customers.bulk_types import array_cursor
from customers.sql import REFRESH_IDS_SQL, REFRESH_RANGE_SQL


def customer_status_refresh(*, customer_ids) -> int:
    """Bring these customers' status in line with their lines; returns how many changed."""
    ids = list(customer_ids)
    if not ids:
        return 0
    with array_cursor() as cur:  # the ids as one array text (a bulk's 10,000 customers)
        cur.execute(REFRESH_IDS_SQL, {"ids": ids})
        return cur.rowcount


def customer_status_range_refresh(*, lo: int, hi: int) -> int:
    """Set-based: customers with id in [lo, hi) take the status their lines make; returns how many changed."""
    with connection.cursor() as cur:
        cur.execute(REFRESH_RANGE_SQL, {"lo": lo, "hi": hi})
        return cur.rowcount
