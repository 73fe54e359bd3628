"""Webhooks' raw SQL: queueing a subscriber's new decision events and claiming due deliveries."""

# A subscriber's events numbered after its cursor up to `top` (its kinds; none = every kind), queued in one
# INSERT … SELECT, oldest first.
DELIVERIES_ENQUEUE_SQL = """
INSERT INTO webhooks_webhookdelivery (subscriber_id, event_id, status, attempts, next_attempt_at, last_error,
                                      created_at)
SELECT %(sub)s, e.id, 'pending', 0, %(now)s, '', %(now)s
FROM customers_decisionevent e
WHERE e.seq > %(after)s AND e.seq <= %(top)s
  AND (cardinality(%(kinds)s::text[]) = 0 OR e.kind = ANY(%(kinds)s::text[]))
ORDER BY e.seq"""

# Due deliveries, leased until %(lease)s (another worker skips them), oldest event first.
DELIVERIES_CLAIM_SQL = """
UPDATE webhooks_webhookdelivery d SET next_attempt_at = %(lease)s
WHERE d.id IN (SELECT id FROM webhooks_webhookdelivery
               WHERE status IN ('pending', 'retrying') AND next_attempt_at <= %(now)s
               ORDER BY event_id LIMIT %(n)s FOR UPDATE SKIP LOCKED)
RETURNING d.id"""
