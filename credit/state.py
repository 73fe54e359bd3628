"""The one credit-state service: whatever ends a customer's credit (closure, blacklisting) ends it here.

Every path calls it — the nightly arrears closure and billing's cancellation (through the
`customers_closed` signal), the blacklist services, the Django admin, pages and the API — so a closed or
blacklisted customer is unrated with limit 0 at once, with a rating row saying why, and the credit they
shared or were shared ends with it (usable credit is no longer offered). Set-based: one statement for any
number of customers, so a batch chunk sends all its ids at once.
"""

from django.db import connection, transaction

from core import clock
from credit.sql import END_SHARES_SQL, END_SQL

CLOSED = "closed"
BLACKLISTED = "blacklisted"


@transaction.atomic(savepoint=False)
def credit_end(*, customer_ids, rule: str, reason: str, by=None) -> int:
    """End credit for these customers (rule: "closed" or "blacklisted"); returns how many were still rated.
    Idempotent: a customer already unrated with limit 0 gets no new row."""
    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        return 0
    params = {"ids": ids, "now": clock.now(), "rule": rule, "reason": f"{rule}: {reason}"[:300],
              "by": by.pk if by else None}
    with connection.cursor() as cur:
        cur.execute(END_SHARES_SQL, params)
        cur.execute(END_SQL, params)
        return cur.rowcount


def on_customers_closed(sender, *, customer_ids, on=None, reason="", by=None, **kwargs):
    """Receiver of customers.signals.customers_closed: closure ends credit."""
    credit_end(customer_ids=customer_ids, rule=CLOSED, reason=reason or "last line closed", by=by)
