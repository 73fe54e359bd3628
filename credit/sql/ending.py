"""Ending credit (closure, blacklisting: credit.state) and reversing a superseded run (credit.runs).

Set-based statements over any number of customers. Ending credit is dated %(now)s (core.clock: the business moment,
the replayed one in a replay); the reversal's write timestamps are now(); business dates come in as parameters."""

from credit.choices import ExtendedService, RatingKind, RequestStatus
from customers.sql import decision_events_insert_sql

# Both batch models leave out closed customers and identities with an open blacklist entry (the same
# condition as the base model's eligibility), so a run never rates them again.
NOT_CLOSED_OR_BLACKLISTED_SQL = """c.status <> 'closed'
    AND NOT EXISTS (SELECT 1 FROM customers_blacklistentry bl
                    WHERE bl.id_number = c.id_number AND bl.id_type = c.id_type AND bl.cleared_at IS NULL)"""

# Billing applies the new limit (TMF666 creditLimit 0) on each open line of a customer whose limit ended; a
# customer whose last line just closed gets it on the line(s) closed last (the `closed` event's line).
LIMIT_EVENTS_SQL = decision_events_insert_sql(
    source="""(SELECT l.id AS line_id, e.old_limit FROM ended e
               JOIN customers_line l ON l.customer_id = e.id
               WHERE e.old_limit <> 0 AND (l.status <> 'closed' OR (
                   NOT EXISTS (SELECT 1 FROM customers_line o WHERE o.customer_id = e.id AND o.status <> 'closed')
                   AND l.closed_on = (SELECT max(m.closed_on) FROM customers_line m WHERE m.customer_id = e.id)))) s""",
    line="s.line_id", kind="'credit_limit_changed'", from_state="s.old_limit::text", to_state="'0.00'",
    rule="%(rule)s", policy_version="'event'", at="%(now)s",
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
    UPDATE customers_customer c SET credit_star = NULL, credit_limit = 0, updated_at = %(now)s
    FROM old WHERE c.id = old.id
    RETURNING c.id, old.credit_star AS old_star, old.credit_limit AS old_limit
),
limit_events AS ({LIMIT_EVENTS_SQL})
INSERT INTO credit_rating (customer_id, kind, policy_version, factor_values, points, old_star, new_star, old_limit,
                           new_limit, rule, reason, decided_by_id, decided_at)
SELECT id, '{RatingKind.EVENT}', 'event', '{{}}', '{{}}', old_star, NULL, old_limit, 0, %(rule)s, %(reason)s,
       %(by)s, %(now)s
FROM ended
"""

# Shares given or received by these customers stop now (a closed or blacklisted customer neither lends nor
# borrows credit).
END_SHARES_SQL = f"""
UPDATE credit_extendedservicerequest SET valid_until = %(now)s
WHERE service = '{ExtendedService.CREDIT_SHARING}' AND status = '{RequestStatus.APPROVED}'
  AND (giver_id = ANY(%(ids)s::bigint[]) OR receiver_id = ANY(%(ids)s::bigint[]))
  AND (valid_until IS NULL OR valid_until > %(now)s)
"""


# Customers the earlier run changed, still as it left them (a later decision wins), go back to what they had;
# closed or blacklisted customers stay unrated. Each reversal is a rating row with the officer and the reason.
REVERSE_SQL = f"""
WITH reverted AS (
    UPDATE customers_customer c SET credit_star = r.old_star, credit_limit = r.old_limit, updated_at = now()
    FROM credit_rating r
    WHERE r.run_id = %(run_id)s AND c.id = r.customer_id
      AND c.credit_star IS NOT DISTINCT FROM r.new_star AND c.credit_limit = r.new_limit
      AND {NOT_CLOSED_OR_BLACKLISTED_SQL}
    RETURNING c.id, r.new_star, r.new_limit, r.old_star, r.old_limit
)
INSERT INTO credit_rating (customer_id, kind, policy_version, factor_values, points, old_star, new_star, old_limit,
                           new_limit, rule, reason, decided_by_id, decided_at)
SELECT id, '{RatingKind.MANUAL}', %(version)s, '{{}}', '{{}}', new_star, old_star, new_limit, old_limit, 'supersede',
       %(reason)s, %(by)s, now()
FROM reverted
"""
