"""The one credit-state service: whatever ends a customer's credit (closure, blacklisting) ends it here.

Every path calls it — the nightly arrears closure and billing's cancellation (through the
`customers_closed` signal), the blacklist services, the Django admin, pages and the API — so a closed or
blacklisted customer is unrated with limit 0 at once, with a rating row saying why, and the credit they
shared or were shared ends with it (usable credit is no longer offered). Set-based: one statement for any
number of customers, so a batch chunk sends all its ids at once.
"""

from django.db import connection, transaction

from credit.choices import ExtendedService, RatingKind, RequestStatus
from customers.events import decision_events_insert_sql

CLOSED = "closed"
BLACKLISTED = "blacklisted"

# Billing applies the new limit (TMF666 creditLimit 0) on each open line of a customer whose limit ended; a
# customer whose last line just closed gets it on the line(s) closed last (the `closed` event's line).
LIMIT_EVENTS_SQL = decision_events_insert_sql(
    source="""(SELECT l.id AS line_id, e.old_limit FROM ended e
               JOIN customers_line l ON l.customer_id = e.id
               WHERE e.old_limit <> 0 AND (l.status <> 'closed' OR (
                   NOT EXISTS (SELECT 1 FROM customers_line o WHERE o.customer_id = e.id AND o.status <> 'closed')
                   AND l.closed_on = (SELECT max(m.closed_on) FROM customers_line m WHERE m.customer_id = e.id)))) s""",
    line="s.line_id", kind="'credit_limit_changed'", from_state="s.old_limit::text", to_state="'0.00'",
    rule="%(rule)s", policy_version="'event'",
    payload="jsonb_build_object('creditLimit', '0.00', 'previousCreditLimit', s.old_limit::text, 'creditStar', "
            "NULL::int)")

# Customers still holding a star or a limit lose both; each gets a rating row (old → unrated, 0) and billing a
# credit_limit_changed event per line, in the same statement.
END_SQL = f"""
WITH old AS (
    SELECT id, credit_star, credit_limit FROM customers_customer
    WHERE id = ANY(%(ids)s::bigint[]) AND (credit_star IS NOT NULL OR credit_limit <> 0)
    ORDER BY id FOR UPDATE
),
ended AS (
    UPDATE customers_customer c SET credit_star = NULL, credit_limit = 0, updated_at = now()
    FROM old WHERE c.id = old.id
    RETURNING c.id, old.credit_star AS old_star, old.credit_limit AS old_limit
),
limit_events AS ({LIMIT_EVENTS_SQL})
INSERT INTO credit_rating (customer_id, kind, policy_version, factor_values, points, old_star, new_star, old_limit,
                           new_limit, rule, reason, decided_by_id, decided_at)
SELECT id, '{RatingKind.EVENT}', 'event', '{{}}', '{{}}', old_star, NULL, old_limit, 0, %(rule)s, %(reason)s,
       %(by)s, now()
FROM ended
"""

# Shares given or received by these customers stop now (a closed or blacklisted customer neither lends nor
# borrows credit).
END_SHARES_SQL = f"""
UPDATE credit_extendedservicerequest SET valid_until = now()
WHERE service = '{ExtendedService.CREDIT_SHARING}' AND status = '{RequestStatus.APPROVED}'
  AND (giver_id = ANY(%(ids)s::bigint[]) OR receiver_id = ANY(%(ids)s::bigint[]))
  AND (valid_until IS NULL OR valid_until > now())
"""


@transaction.atomic(savepoint=False)
def credit_end(*, customer_ids, rule: str, reason: str, by=None) -> int:
    """End credit for these customers (rule: "closed" or "blacklisted"); returns how many were still rated.
    Idempotent: a customer already unrated with limit 0 gets no new row."""
    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        return 0
    params = {"ids": ids, "rule": rule, "reason": f"{rule}: {reason}"[:300], "by": by.pk if by else None}
    with connection.cursor() as cur:
        cur.execute(END_SHARES_SQL, params)
        cur.execute(END_SQL, params)
        return cur.rowcount


def on_customers_closed(sender, *, customer_ids, on=None, reason="", by=None, **kwargs):
    """Receiver of customers.signals.customers_closed: closure ends credit."""
    credit_end(customer_ids=customer_ids, rule=CLOSED, reason=reason or "last line closed", by=by)


# Both batch models leave out closed customers and identities with an open blacklist entry (the same
# condition as the base model's eligibility), so a run never rates them again.
NOT_CLOSED_OR_BLACKLISTED_SQL = """c.status <> 'closed'
    AND NOT EXISTS (SELECT 1 FROM customers_blacklistentry bl
                    WHERE bl.id_number = c.id_number AND bl.id_type = c.id_type AND bl.cleared_at IS NULL)"""
