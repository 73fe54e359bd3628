"""What retention does when the customers app reports a fact (customers.signals)."""

from django.db import connection

from core import clock
from retention.sql.alerts import CLOSE_ALERTS_SQL


def close_alerts_of_closed_customers(sender, *, customer_ids, on, reason, by=None, **kwargs) -> None:
    with connection.cursor() as cur:
        cur.execute(CLOSE_ALERTS_SQL, {"ids": list(customer_ids), "now": clock.now(), "reason": reason,
                                       "by": getattr(by, "pk", None)})
