"""The retention alerts' set-based writes: the daily verification of "retained" (retention.verify, the SQL twin of
policies.verified_points) and the closing of a closed customer's open alert (retention.receivers)."""

from retention.choices import AlertStatus

# Alerts of [lo, hi) marked retained whose check day has come: confirmed when the customer still has an open line
# (points credited), reverted to churned otherwise; an AlertEvent row records each outcome.
VERIFY_SQL = """
WITH due AS (
    SELECT a.id, a.customer_id, a.score, (a.closed_at AT TIME ZONE %(tz)s)::date AS retained_on,
           EXISTS (SELECT 1 FROM customers_line l WHERE l.customer_id = a.customer_id AND l.status <> 'closed')
             AS line_open
    FROM retention_retentionalert a
    WHERE a.id >= %(lo)s AND a.id < %(hi)s AND a.verification = 'pending' AND a.verify_on <= %(today)s),
monthly AS (  -- billed per customer and period around the retention
    SELECT d.id, b.period, sum(b.amount) AS billed,
           b.period < date_trunc('month', d.retained_on)::date AS before
    FROM due d JOIN arrears_bill b ON b.customer_id = d.customer_id
     AND b.period >= (date_trunc('month', d.retained_on) - make_interval(months => %(window)s))::date
     AND b.period <= (date_trunc('month', d.retained_on) + make_interval(months => %(window)s))::date
     AND b.period <> date_trunc('month', d.retained_on)::date
    GROUP BY d.id, b.period, d.retained_on),
spend AS (
    SELECT id, avg(billed) FILTER (WHERE before) AS before, avg(billed) FILTER (WHERE NOT before) AS after
    FROM monthly GROUP BY id),
verified AS (
    UPDATE retention_retentionalert a SET
        verification = CASE WHEN d.line_open THEN 'confirmed' ELSE 'reverted' END,
        verified_on = %(today)s,
        status = CASE WHEN d.line_open THEN a.status ELSE 'churned' END,
        points = CASE WHEN d.line_open THEN %(base)s + a.score / %(per_risk)s ELSE 0 END,
        value_points = CASE WHEN d.line_open AND s.after > s.before THEN %(value_points)s ELSE 0 END
    FROM due d LEFT JOIN spend s ON s.id = d.id
    WHERE a.id = d.id
    RETURNING a.id, a.status, d.line_open)
INSERT INTO retention_alertevent (alert_id, at, by_id, from_status, to_status, note)
SELECT id, %(now)s, NULL, 'retained', status,
       CASE WHEN line_open THEN %(confirmed_note)s ELSE %(reverted_note)s END
FROM verified"""

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
