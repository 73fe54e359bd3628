"""Enterprise's raw SQL: the segmentation signals (one statement per chunk of accounts), the computed class's
inputs and update, and the managers' revenue swing; the monthly snapshots (enterprise.sql.snapshots) and the demo
(enterprise.sql.demo) in the modules of this package.

The signals' window comes from the evaluation date (the run's period), never now()."""

from datetime import date

from django.db import connection

from enterprise import policies
from enterprise.models import SegmentRule

SIGNAL_VALUES = """
WITH snap AS (
    SELECT s.*, ((%(m0y)s - extract(year FROM s.month)) * 12 + %(m0m)s - extract(month FROM s.month))::int AS age
    FROM enterprise_enterprisesnapshot s
    WHERE s.account_id >= %(lo)s AND s.account_id < %(hi)s AND s.month >= %(m5)s AND s.month <= %(m0)s),
agg AS (
    SELECT account_id, count(*) AS months,
           max(revenue) FILTER (WHERE age = 0) AS r0, max(revenue) FILTER (WHERE age = 1) AS r1,
           max(revenue) AS rmax, min(revenue) AS rmin, avg(revenue) AS ravg,
           max(member_count) FILTER (WHERE age = 0) AS n0, max(member_count) FILTER (WHERE age = 1) AS n1,
           max(member_count) FILTER (WHERE age = 3) AS n3,
           max(competitor_lines) FILTER (WHERE age = 0) AS comp0,
           max(members_left) FILTER (WHERE age = 0) AS left0,
           max(returning_members) FILTER (WHERE age = 0) - max(returning_members) FILTER (WHERE age = 1) AS ret,
           max(cancellations) FILTER (WHERE age = 0) - max(cancellations) FILTER (WHERE age = 1) AS canc,
           max(competitor_hotline_calls) FILTER (WHERE age = 0)
             - max(competitor_hotline_calls) FILTER (WHERE age = 1) AS hotline,
           max(personalised_requests) FILTER (WHERE age = 0)
             - max(personalised_requests) FILTER (WHERE age = 1) AS personal,
           max(data_anomalies) FILTER (WHERE age = 0) AS anomalies,
           max(business_changes) FILTER (WHERE age = 0) AS changes,
           max(complaints) FILTER (WHERE age = 0) - max(complaints) FILTER (WHERE age = 1) AS complaints,
           count(*) FILTER (WHERE arrears_amount > 0) AS arrears_months
    FROM snap GROUP BY account_id),
fall AS (
    SELECT account_id, age,
           coalesce(revenue < lead(revenue) OVER w AND lead(age) OVER w = age + 1, false) AS fell
    FROM snap WINDOW w AS (PARTITION BY account_id ORDER BY age)),
falling AS (SELECT account_id, min(age) FILTER (WHERE NOT fell) AS months FROM fall GROUP BY account_id),
expiring AS (  -- lapsed agreements count (negative days) until renewed or ended on purpose: never silently gone
    SELECT ag.account_id, min(ag.expires_on - %(today)s::date) AS days FROM enterprise_agreement ag
    WHERE ag.account_id >= %(lo)s AND ag.account_id < %(hi)s AND ag.ended_on IS NULL
      AND NOT EXISTS (SELECT 1 FROM enterprise_agreement r WHERE r.renews_id = ag.id)
    GROUP BY ag.account_id),
vals AS (
    SELECT a.id, a.account_manager_id,
           CASE WHEN g.n0 + g.comp0 > 0 THEN 100.0 * g.comp0 / (g.n0 + g.comp0) END AS competitor_customers,
           g.r0 AS high_value,
           CASE WHEN g.months = 6 AND g.ravg > 0 THEN 100 * (g.rmax - g.rmin) / g.ravg END AS stable,
           g.ret AS returning_rising,
           e.days::numeric AS agreement_expiring,
           CASE WHEN g.n0 > 0 THEN 100.0 * g.left0 / g.n0 END AS members_leaving,
           g.canc AS cancellations_rising,
           CASE WHEN g.r0 IS NOT NULL THEN f.months END AS spend_falling,
           g.hotline AS competitor_hotline_rising,
           g.personal AS personalised_rising,
           CASE WHEN g.n3 > 0 THEN 100.0 * (g.n0 - g.n3) / g.n3 END AS headcount_rising,
           CASE WHEN g.r1 > 0 THEN 100 * abs(g.r0 - g.r1) / g.r1 END AS spend_anomaly,
           CASE WHEN g.n1 > 0 THEN 100.0 * abs(g.n0 - g.n1) / g.n1 END AS headcount_jump,
           g.anomalies AS data_anomaly,
           g.changes AS frequent_changes,
           g.complaints AS complaints_rising,
           CASE WHEN g.months > 0 THEN g.arrears_months END AS frequent_arrears
    FROM enterprise_enterpriseaccount a
    LEFT JOIN agg g ON g.account_id = a.id
    LEFT JOIN falling f ON f.account_id = a.id
    LEFT JOIN expiring e ON e.account_id = a.id
    WHERE a.id >= %(lo)s AND a.id < %(hi)s),
signal_values AS (
    SELECT v.id, v.account_manager_id, x.code, x.value::numeric AS value
    FROM vals v CROSS JOIN LATERAL (VALUES {value_rows}) AS x(code, value)
    WHERE x.value IS NOT NULL)
"""

SEGMENT_SQL = SIGNAL_VALUES + """,
fired AS (
    SELECT sv.id, sv.account_manager_id, r.code, r.segment, r.alert, sv.value, r.threshold
    FROM signal_values sv
    JOIN unnest(%(codes)s::text[], %(segments)s::text[], %(directions)s::text[], %(thresholds)s::numeric[],
                %(alerts)s::boolean[]) AS r(code, segment, direction, threshold, alert) ON r.code = sv.code
    WHERE CASE WHEN r.direction = 'gte' THEN sv.value >= r.threshold ELSE sv.value <= r.threshold END),
tagged AS (
    INSERT INTO enterprise_segmenttag (account_id, evaluated_on, code, segment, value, threshold)
    SELECT id, %(today)s, code, segment, round(value, 2), threshold FROM fired
    ON CONFLICT (account_id, evaluated_on, code)
    DO UPDATE SET value = EXCLUDED.value, threshold = EXCLUDED.threshold, segment = EXCLUDED.segment
    RETURNING 1)
INSERT INTO enterprise_enterprisealert (account_id, account_manager_id, code, segment, value, opened_on, status)
SELECT id, account_manager_id, code, segment, round(value, 2), %(today)s, 'open' FROM fired
WHERE alert AND (SELECT count(*) FROM tagged) >= 0
ON CONFLICT (account_id, code) WHERE status = 'open' DO NOTHING
"""

CODES = list(policies.DEFAULT_RULES)


def value_rows() -> str:
    return ", ".join(f"('{code}', v.{code})" for code in CODES)


def month_params(today: date) -> dict:
    """m0 = the last complete month before `today`; the window is m0 and the five months before."""
    m0 = policies.month_start(today, 1)
    return {"today": today, "m0": m0, "m5": policies.month_start(today, 6), "m0y": m0.year, "m0m": m0.month}


def rule_params() -> dict:
    rules = [r for r in SegmentRule.objects.filter(enabled=True).order_by("code")]
    return {"codes": [r.code for r in rules], "segments": [r.segment for r in rules],
            "directions": [r.direction for r in rules], "thresholds": [r.threshold for r in rules],
            "alerts": [r.alert for r in rules]}


def signal_values(account_id: int, today: date) -> dict[str, float]:
    """Every signal's value for one account (the account page shows what the rules see)."""
    params = {"lo": account_id, "hi": account_id + 1, **month_params(today)}
    with connection.cursor() as cur:
        cur.execute(SIGNAL_VALUES.format(value_rows=value_rows()) + " SELECT code, value FROM signal_values",
                    params)
        return {code: value for code, value in cur.fetchall()}


CLASS_UPDATE_SQL = """
    UPDATE enterprise_enterpriseaccount a
    SET computed_class = u.klass, class_score = u.score, class_factors = u.factors::jsonb,
        class_policy_version = %(version)s, classified_on = %(today)s
    FROM unnest(%(ids)s::bigint[], %(classes)s::text[], %(scores)s::numeric[], %(factors)s::text[])
         AS u(id, klass, score, factors)
    WHERE a.id = u.id"""

# The computed class's inputs of accounts with id in [lo, hi), in one set-based query.
CLASS_INPUTS_SQL = """
SELECT a.id, a.unified_billing_revenue, coalesce(m.members, 0), coalesce(p.products, 0),
       round((%(today)s::date - coalesce(a.customer_since, a.created_at::date)) / 365.25, 1),
       round(coalesce(m.avg_star, 0), 2)
FROM enterprise_enterpriseaccount a
LEFT JOIN (SELECT l.enterprise_id, count(*) AS members, avg(c.credit_star) AS avg_star
           FROM customers_line l JOIN customers_customer c ON c.id = l.customer_id
           WHERE l.enterprise_id >= %(lo)s AND l.enterprise_id < %(hi)s AND l.status <> 'closed'
           GROUP BY l.enterprise_id) m ON m.enterprise_id = a.id
LEFT JOIN (SELECT account_id, count(*) AS products FROM enterprise_productholding
           WHERE account_id >= %(lo)s AND account_id < %(hi)s GROUP BY account_id) p ON p.account_id = a.id
WHERE a.id >= %(lo)s AND a.id < %(hi)s
ORDER BY a.id
"""


def revenue_swing_sql(*, scoped: bool) -> str:
    """Average |revenue change| %(m1)s → %(m0)s of the accounts with both months, in % (`scoped`: of %(ids)s)."""
    return """SELECT avg(abs(a.revenue - b.revenue) / b.revenue) * 100
             FROM enterprise_enterprisesnapshot a JOIN enterprise_enterprisesnapshot b
               ON b.account_id = a.account_id AND b.month = %(m1)s AND b.revenue > 0
             WHERE a.month = %(m0)s""" + (" AND a.account_id = ANY(%(ids)s)" if scoped else "")
