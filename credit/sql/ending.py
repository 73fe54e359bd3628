"""Credit's raw SQL: ending credit (closure, blacklisting), reversing a superseded run, the star snapshot and
the outcome figures.

Set-based statements over any number of customers; the batches' scoring SQL is credit.scoring's (the compiled
scorecard). Write timestamps are now() (when the row was written); business dates come in as parameters."""

from credit.choices import ExtendedService, RatingKind, RequestStatus
from customers.events import decision_events_insert_sql

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

STAR_SNAPSHOT_SQL = """
INSERT INTO credit_starsnapshot (taken_on, star, count)
SELECT %s, credit_star, count(*) FROM customers_customer WHERE status <> 'closed' GROUP BY credit_star"""


# Each restoration with the barring before it on the same line, classed by the customer's credit: a holder's
# barring before their first credit (a rating to 1★+), after it, or a customer who never held credit.
DURATIONS_SQL = """
WITH ordered AS (
    SELECT e.line_id, l.customer_id, e.to_state, e.at,
           lag(e.to_state) OVER w AS previous_state, lag(e.at) OVER w AS previous_at
    FROM arrears_barringevent e JOIN customers_line l ON l.id = e.line_id
    WHERE e.at >= %(since)s {scope}
    WINDOW w AS (PARTITION BY e.line_id ORDER BY e.at, e.id)
),
first_credit AS (
    SELECT customer_id, min(decided_at) AS at FROM credit_rating WHERE new_star >= 1 GROUP BY customer_id
)
SELECT date_trunc('month', o.at AT TIME ZONE %(tz)s)::date AS month,
       CASE WHEN f.at IS NULL THEN 'others' WHEN o.previous_at < f.at THEN 'before' ELSE 'after' END AS class,
       round(avg(extract(epoch FROM o.at - o.previous_at) / 86400)::numeric, 1)
FROM ordered o LEFT JOIN first_credit f ON f.customer_id = o.customer_id
WHERE o.to_state = 'active' AND o.previous_state IN ('one_way_barred', 'two_way_barred', 'in_retention')
GROUP BY 1, 2
"""

# Customers whose last line closed in the month, holders (the closure ended a 1★+ star) and others, over the
# customers open at the month's start (holders: 1★+ then, from the rating history).
CHURN_SQL = """
WITH closed AS (
    SELECT l.customer_id, max(l.closed_on) AS on_day FROM customers_line l
    JOIN customers_customer c ON c.id = l.customer_id
    WHERE c.status = 'closed' {scope} GROUP BY l.customer_id
),
holder_at_closure AS (
    SELECT DISTINCT customer_id FROM credit_rating WHERE rule = 'closed' AND old_star >= 1
)
SELECT date_trunc('month', cl.on_day)::date, (h.customer_id IS NOT NULL) AS holder, count(*)
FROM closed cl LEFT JOIN holder_at_closure h ON h.customer_id = cl.customer_id
WHERE cl.on_day >= %(since)s GROUP BY 1, 2
"""
POPULATION_SQL = """
SELECT count(*) FILTER (WHERE c.credit_star >= 1), count(*) FILTER (WHERE c.credit_star IS NULL OR c.credit_star < 1)
FROM customers_customer c WHERE c.status <> 'closed' {scope}
"""
