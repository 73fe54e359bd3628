"""The nightly run's closures told to the apps above customers, like billing's (customers.signals)."""

from customers.signals import customers_closed

# Customers of the chunk's lines closed by this run (its status log at `now`) who have no open line left.
CLOSED_IN_RUN = """
SELECT DISTINCT l.customer_id FROM customers_linestatuschange ch JOIN customers_line l ON l.id = ch.line_id
WHERE ch.line_id >= %(lo)s AND ch.line_id < %(hi)s AND ch.changed_at = %(now)s AND ch.to_status = 'closed'
  AND NOT EXISTS (SELECT 1 FROM customers_line o WHERE o.customer_id = l.customer_id AND o.status <> 'closed')"""
REASON = "all lines closed by the arrears run (number retention expired, policy {policy})"


def send_customers_closed(cur, params: dict) -> list[int]:
    """One `customers_closed` for the chunk, with every customer whose last line this run closed."""
    cur.execute(CLOSED_IN_RUN, params)
    ids = [row[0] for row in cur.fetchall()]
    if ids:
        customers_closed.send(sender=send_customers_closed, customer_ids=ids, on=params["today"],
                              reason=REASON.format(policy=params["policy"]), by=None)
    return ids
