"""What retention does when the customers app reports a fact (customers.signals)."""

from django.db import connection
from django.utils import timezone

from retention.choices import AlertStatus

# A closed customer leaves the retention queue: their open alert ends as churned, with the closure's reason,
# and the step is audited like any other (set-based: one statement for all the customers of a batch).
CLOSE_ALERTS_SQL = f"""
WITH closed AS (
    UPDATE retention_retentionalert a
    SET status = '{AlertStatus.CHURNED.value}', closed_at = %(now)s,
        outcome = left(%(reason)s, 200), notes = trim(a.notes || E'\\n' || %(reason)s)
    FROM retention_retentionalert old  -- the row before the update, for the audit's "from"
    WHERE old.id = a.id AND a.customer_id = ANY(%(ids)s::bigint[]) AND a.closed_at IS NULL
    RETURNING a.id, old.status AS from_status
)
INSERT INTO retention_alertevent (alert_id, at, by_id, from_status, to_status, note)
SELECT id, %(now)s, %(by)s, from_status, '{AlertStatus.CHURNED.value}', %(reason)s FROM closed"""


def close_alerts_of_closed_customers(sender, *, customer_ids, on, reason, by=None, **kwargs) -> None:
    with connection.cursor() as cur:
        cur.execute(CLOSE_ALERTS_SQL, {"ids": list(customer_ids), "now": timezone.now(), "reason": reason,
                                       "by": getattr(by, "pk", None)})
