"""Set-based customer features for scoring, for customers with id in [lo, hi).

`features_cte()` returns SQL for a CTE named `features` with one row per customer of the
chunk and one column per `credit.choices.Feature`. Each aggregate is restricted to the id range
first so that a chunk touches only its own rows of the usage, bill and payment tables.
"""

from core.sql import time_zone
from credit.choices import Feature

SUSPENDED = ("one_way_barred", "two_way_barred")

# SQL for each feature, over the joined per-chunk aggregates below.
FEATURE_SQL: dict[str, str] = {
    Feature.BRAND: "b.code",
    Feature.TENURE_MONTHS: "(extract(year FROM age(%(today)s, c.join_date)) * 12"
                           " + extract(month FROM age(%(today)s, c.join_date)))::int",
    Feature.AVG_MONTHLY_SPEND: "c.avg_monthly_spend",
    Feature.SUSPENSIONS_12M: "coalesce(susp.n, 0)",
    Feature.DATA_COMPLETENESS: "c.data_completeness",
    Feature.RELATED_CONTACTS: "coalesce(rc.n, 0)",
    Feature.LATE_BILLS_12M: "coalesce(bl.late, 0)",
    Feature.ARREARS_DAYS_12M: "coalesce(bl.days, 0)",
    Feature.AUTO_PAY: "(ap.customer_id IS NOT NULL)::int",
    Feature.VALUE_RATIO: "coalesce(round(c.avg_monthly_spend / nullif(fee.fee, 0), 2), 0)",
    Feature.ENTERPRISE_MEMBER: "(fee.enterprise)::int",
    Feature.SPEND_STABILITY: "coalesce(greatest(0, 100 - round(100 * sp.cv))::int, 0)",
    Feature.LATE_BILLS_6M: "coalesce(bl.late6, 0)",
    Feature.ARREARS_DAYS_6M: "coalesce(bl.days6, 0)",
    Feature.SUSPENSIONS_6M: "coalesce(susp.n6, 0)",
    Feature.SPEND_TREND: "coalesce(round(100 * (sp.last3 - sp.prev3) / nullif(sp.prev3, 0)), 0)::int",
    Feature.VALUE_DECILE: "cv.decile",  # NULL = not ranked: no bin matches, 0 points, shown as unknown
}



def features_cte(selection: str = "TRUE", *, materialized: bool = False) -> str:
    """`selection` is an extra SQL condition on customers `c` (e.g. who is eligible for this run).

    Every window ends before `today` (the run's day, e.g. the 1st of its period): a run reads the history as of its
    period, so a chunk resumed or a past period re-run later judges the same history (DOMAIN §4: runs idempotent
    and resumable), not the suspensions, payments and usage of the days since.

    `materialized` computes the features once when the caller references them from several places
    (the base model); the guidance rules read them once, and there materializing costs more than it saves.
    """
    columns = ",\n        ".join(f'{sql} AS "{name}"' for name, sql in FEATURE_SQL.items())
    tz = time_zone()
    return f"""
    chunk AS (
        SELECT c.* FROM customers_customer c
        WHERE c.id >= %(lo)s AND c.id < %(hi)s AND ({selection})
    ),
    susp AS (
        SELECT l.customer_id, count(*) AS n, count(*) FILTER (WHERE s.changed_at >= %(since6)s) AS n6
        FROM customers_linestatuschange s JOIN customers_line l ON l.id = s.line_id
        WHERE l.customer_id >= %(lo)s AND l.customer_id < %(hi)s
          AND s.to_status IN {SUSPENDED!r} AND s.changed_at >= %(since12)s
          AND (s.changed_at AT TIME ZONE '{tz}')::date < %(today)s
        GROUP BY l.customer_id
    ),
    rc AS (
        SELECT customer_id, count(*) AS n FROM customers_relatedcontact
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s GROUP BY customer_id
    ),
    -- Payment behaviour in the 12 (6) months before today (DOMAIN §4: late payments, arrears days in 12 months).
    -- A bill is paid late when the line's payments had not covered it, oldest due first (as billing's payments
    -- are allocated), by the end of its due date: paid after it or still unpaid, counted whether paid since or not.
    -- The day it was paid is the first payment that brought the line's cumulative payments up to its cumulative
    -- bills. Arrears days are the calendar days inside the window on which some bill of the customer was past due
    -- and unpaid (its due date + 1 to the day it was paid, or today; a bill due before the window counts from the
    -- window's first day): each day once, so at most the window's days.
    flow AS (
        SELECT line_id, customer_id, due_date AS day, 0 AS kind,
               sum(amount) OVER (PARTITION BY line_id ORDER BY due_date, id) AS cum
        FROM arrears_bill
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND due_date < %(today)s
        UNION ALL
        SELECT line_id, customer_id, (paid_at AT TIME ZONE '{tz}')::date, 1,
               sum(amount) OVER (PARTITION BY line_id ORDER BY paid_at, id)
        FROM arrears_payment
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND (paid_at AT TIME ZONE '{tz}')::date < %(today)s
    ),
    settled AS (
        SELECT customer_id, kind, day AS due_date,
               -- the first payment at or after the bill in cumulative order, as a running min from the end
               -- (a frame from the current row onwards would re-aggregate it for every row)
               min(day) FILTER (WHERE kind = 1) OVER (PARTITION BY line_id ORDER BY cum DESC, kind DESC
                                                      ROWS UNBOUNDED PRECEDING) AS paid_on
        FROM flow
    ),
    overdue AS (
        SELECT customer_id, due_date, daterange(due_date + 1, coalesce(paid_on, %(today)s) + 1) AS days
        FROM settled
        WHERE kind = 0 AND (paid_on IS NULL OR paid_on > due_date) AND coalesce(paid_on, %(today)s) > %(since12)s
    ),
    bl AS (
        SELECT customer_id, count(*) FILTER (WHERE due_date >= %(since12)s) AS late,
               count(*) FILTER (WHERE due_date >= %(since6)s) AS late6,
               (SELECT coalesce(sum(upper(r) - lower(r)), 0) FROM unnest(
                   range_agg(days) * datemultirange(daterange(%(since12)s + 1, %(today)s + 1))) r) AS days,
               (SELECT coalesce(sum(upper(r) - lower(r)), 0) FROM unnest(
                   range_agg(days) * datemultirange(daterange(%(since6)s + 1, %(today)s + 1))) r) AS days6
        FROM overdue GROUP BY customer_id
    ),
    ap AS (
        SELECT DISTINCT customer_id FROM arrears_payment
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND channel = 'auto_debit' AND paid_at >= %(since6)s
          AND (paid_at AT TIME ZONE '{tz}')::date < %(today)s
    ),
    fee AS (
        SELECT l.customer_id, max(p.monthly_fee) AS fee, bool_or(l.enterprise_id IS NOT NULL) AS enterprise
        FROM customers_line l JOIN customers_plan p ON p.id = l.plan_id
        WHERE l.customer_id >= %(lo)s AND l.customer_id < %(hi)s AND l.status <> 'closed'
        GROUP BY l.customer_id
    ),
    sp AS (
        SELECT customer_id, stddev_pop(m) / nullif(avg(m), 0) AS cv,
               avg(m) FILTER (WHERE month >= %(since3)s) AS last3,
               avg(m) FILTER (WHERE month >= %(since6)s AND month < %(since3)s) AS prev3
        FROM (SELECT customer_id, month, sum(bill_amount) AS m FROM customers_usagesummary
              WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month >= %(since12)s AND month < %(today)s
              GROUP BY customer_id, month) monthly
        GROUP BY customer_id
    ),
    cv AS (
        SELECT customer_id, decile, value FROM arrears_customervalue
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month = %(value_month)s
    ),
    features AS {'MATERIALIZED ' if materialized else ''}(
        SELECT c.id, c.credit_star, c.credit_limit,
        cv.value AS customer_value,  -- the guidance rules read it (negative value), NULL when not ranked
        {columns}
        FROM chunk c
        JOIN customers_brand b ON b.id = c.brand_id
        LEFT JOIN susp ON susp.customer_id = c.id
        LEFT JOIN rc ON rc.customer_id = c.id
        LEFT JOIN bl ON bl.customer_id = c.id
        LEFT JOIN ap ON ap.customer_id = c.id
        LEFT JOIN fee ON fee.customer_id = c.id
        LEFT JOIN sp ON sp.customer_id = c.id
        LEFT JOIN cv ON cv.customer_id = c.id
    )"""
