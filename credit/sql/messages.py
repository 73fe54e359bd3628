"""Touchpoint SMS in bulk (credit.touchpoints): a rating run's messages rendered in SQL from the same template
rows a single event renders in Python."""

from credit.choices import SmsEvent, SmsStatus

QUEUED_COUNT_SQL = "SELECT count(*) FROM credit_smsmessage WHERE status = %s"


def rating_messages_enqueue_sql() -> str:
    """Set-based: one message per rating of this run in [lo, hi) whose star or limit changed (see announces)."""
    star = "coalesce(r.new_star::text, '未评级')"
    body = ("replace(replace(replace(replace(t.body, '{name}', c.name), '{star}', " + star + "), "
            "'{old_star}', coalesce(r.old_star::text, '未评级')), '{limit}', r.new_limit::text)")
    return f"""
    INSERT INTO credit_smsmessage (customer_id, msisdn, event, body, status, attempts, dedup_key, gateway_ref,
                                   created_at)
    SELECT c.id, l.msisdn, t.event, {body}, '{SmsStatus.QUEUED}', 0, 'rating-' || r.id, '', %(now)s
    FROM credit_rating r
    JOIN customers_customer c ON c.id = r.customer_id
    JOIN LATERAL (SELECT msisdn FROM customers_line WHERE customer_id = c.id AND status <> 'closed'
                  ORDER BY id LIMIT 1) l ON TRUE
    JOIN credit_smstemplate t ON t.active AND t.event = CASE
        WHEN r.old_star IS NULL AND r.new_star IS NOT NULL THEN '{SmsEvent.STAR_ASSIGNED}'
        WHEN r.old_star IS DISTINCT FROM r.new_star THEN '{SmsEvent.STAR_CHANGED}'
        ELSE '{SmsEvent.LIMIT_CHANGED}' END
    WHERE r.run_id = %(run_id)s AND r.customer_id >= %(lo)s AND r.customer_id < %(hi)s
      AND NOT (r.old_star IS NULL AND r.new_star = 0)  -- a first 0★ grants nothing to announce
    ON CONFLICT (dedup_key) DO NOTHING
    """
