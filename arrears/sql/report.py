"""The arrears report's statements: the nightly facts per chunk of customers (arrears.report_facts) and their
readers, the live reads of arrears.selectors the facts pre-aggregate, and the SP settlement (arrears.settlement)."""

from arrears.policies import AGE_BUCKETS
from core.sql import time_zone

# ---------------------------------------------------------------- nightly facts (arrears.report_facts)

def bucket_case(column: str) -> str:
    """The aging bucket of `column` (an arrears_since) on %(day)s, '' when none (an age not yet begun)."""
    whens = []
    for name, first, last in AGE_BUCKETS:
        cond = f"{column} <= %(day)s::date - {int(first)}"
        if last is not None:
            cond += f" AND {column} >= %(day)s::date - {int(last)}"
        whens.append(f"WHEN {cond} THEN '{name}'")
    return f"CASE {' '.join(whens)} ELSE '' END"


CHANNEL_FACTS = """
INSERT INTO arrears_reportchannelfact (day, chunk_lo, region_id, channel_id, lines, in_arrears, owed,
                                       completeness_sum, completeness_rows)
SELECT %(day)s, %(lo)s, c.region_id, c.acquiring_channel_id, count(l.id),
       count(a.line_id) FILTER (WHERE a.arrears_since IS NOT NULL),
       sum(a.balance) FILTER (WHERE a.arrears_since IS NOT NULL), sum(c.data_completeness), count(*)
FROM customers_customer c
LEFT JOIN customers_line l ON l.customer_id = c.id
LEFT JOIN arrears_lineaccount a ON a.line_id = l.id
WHERE c.id >= %(lo)s AND c.id < %(hi)s
GROUP BY c.region_id, c.acquiring_channel_id
"""

ARREARS_FACTS = """
INSERT INTO arrears_reportfact (day, chunk_lo, region_id, credit_star, brand_id, bucket, lines, owed)
SELECT %(day)s, %(lo)s, c.region_id, c.credit_star, c.brand_id, {bucket}, count(*), sum(a.balance)
FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
WHERE a.arrears_since IS NOT NULL AND a.customer_id >= %(lo)s AND a.customer_id < %(hi)s
GROUP BY 3, 4, 5, 6
""".format(bucket=bucket_case("a.arrears_since"))

STAR_FACTS = """
INSERT INTO arrears_starhistoryfact (day, chunk_lo, credit_star, customers, in_arrears, owed, closed)
SELECT %(day)s, %(lo)s, c.credit_star, count(*), count(a.owed), coalesce(sum(a.owed), 0),
       count(*) FILTER (WHERE c.status = 'closed')
FROM customers_customer c
LEFT JOIN (SELECT customer_id, sum(greatest(-balance, 0)) AS owed FROM arrears_lineaccount
           WHERE arrears_since IS NOT NULL AND customer_id >= %(lo)s AND customer_id < %(hi)s
           GROUP BY customer_id) a ON a.customer_id = c.id
WHERE c.id >= %(lo)s AND c.id < %(hi)s
GROUP BY c.credit_star
"""


SP_FACTS = """
INSERT INTO arrears_spsettlementfact (day, chunk_lo, period, sp_id, agent_id, revenue, lines, share, left_out,
                                      lines_in_arrears, captive_lines)
SELECT %(day)s, %(lo)s, period, sp_id, agent, sum(charged), count(*),
       coalesce(sum(unpaid * charged / nullif(bill_amount, 0)) FILTER (WHERE unpaid >= %(min)s), 0),
       coalesce(sum(unpaid * charged / nullif(bill_amount, 0)) FILTER (WHERE unpaid > 0 AND unpaid < %(min)s), 0),
       count(*) FILTER (WHERE unpaid >= %(min)s), count(*) FILTER (WHERE charged * 100 >= %(captive)s * bill_amount)
FROM (SELECT s.period, s.sp_id, c.acquiring_channel_id AS agent, s.amount AS charged, b.amount AS bill_amount,
             CASE WHEN b.due_date < %(day)s THEN b.amount - b.paid_amount ELSE 0 END AS unpaid
      FROM arrears_bill b JOIN arrears_spcharge s ON s.bill_id = b.id JOIN customers_customer c ON c.id = b.customer_id
      WHERE b.customer_id >= %(lo)s AND b.customer_id < %(hi)s AND b.period = ANY(%(periods)s::date[])) charges
GROUP BY period, sp_id, agent
"""
DURATION_FACTS = """
INSERT INTO arrears_barringdurationfact (day, chunk_lo, region_id, holder, restorations, days)
WITH ordered AS (
    SELECT e.line_id, e.to_state, e.at,
           lag(e.to_state) OVER w AS previous_state, lag(e.at) OVER w AS previous_at
    FROM arrears_barringevent e JOIN customers_line l ON l.id = e.line_id
    WHERE e.at >= %(since)s AND l.customer_id >= %(lo)s AND l.customer_id < %(hi)s
    WINDOW w AS (PARTITION BY e.line_id ORDER BY e.at, e.id)
)
SELECT %(day)s, %(lo)s, c.region_id, (c.credit_star >= 1), count(*),
       sum(extract(epoch FROM o.at - o.previous_at) / 86400)
FROM ordered o JOIN customers_line l ON l.id = o.line_id JOIN customers_customer c ON c.id = l.customer_id
WHERE o.to_state = 'active' AND o.previous_state IN ('one_way_barred', 'two_way_barred', 'in_retention')
GROUP BY 3, 4
"""
# The value report of the latest ranked month (arrears.value.value_report_live: every valued customer ranked in
# their brand), by region of the customer.
VALUE_FACTS = """
INSERT INTO arrears_valuefact (day, chunk_lo, region_id, month, customers, total, revenue, top_customers, top_value,
                               bottom_customers, bottom_value, bottom_cost, negative, negative_value)
SELECT %(day)s, %(lo)s, c.region_id, v.month, count(*), sum(v.value), sum(v.revenue),
       count(*) FILTER (WHERE v.decile = ANY(%(top)s)), sum(v.value) FILTER (WHERE v.decile = ANY(%(top)s)),
       count(*) FILTER (WHERE v.decile = ANY(%(bottom)s)), sum(v.value) FILTER (WHERE v.decile = ANY(%(bottom)s)),
       sum(v.cost) FILTER (WHERE v.decile = ANY(%(bottom)s)),
       count(*) FILTER (WHERE v.value < 0), sum(v.value) FILTER (WHERE v.value < 0)
FROM arrears_customervalue v JOIN customers_customer c ON c.id = v.customer_id
WHERE v.month = (SELECT max(month) FROM arrears_customervalue WHERE decile IS NOT NULL)
  AND v.decile IS NOT NULL AND v.customer_id >= %(lo)s AND v.customer_id < %(hi)s
GROUP BY c.region_id, v.month
"""

FACT_TABLES = ("arrears_reportchannelfact", "arrears_reportfact", "arrears_starhistoryfact",
               "arrears_spsettlementfact", "arrears_barringdurationfact", "arrears_valuefact")


def forget_old_facts_sql(table: str) -> str:
    """One facts table's nights before %s."""
    return f"DELETE FROM {table} WHERE day < %s"


# ---------------------------------------------------------------- the facts' readers (`where`: a region filter)

def region_filter_sql(region_id: int | None, alias: str = "f") -> tuple[str, list]:
    """`AND <alias>.region_id = %s` and its parameter; nothing for the province."""
    return ("", []) if region_id is None else (f"AND {alias}.region_id = %s", [region_id])


def arrears_by_sql(dimension: str, where: str) -> str:
    """Lines in arrears and what they owe per star, brand or acquiring channel on the facts' day (%s)."""
    if dimension == "channel":
        return f"""SELECT ch.name, sum(f.in_arrears), sum(f.owed) FROM arrears_reportchannelfact f
                  LEFT JOIN customers_channel ch ON ch.id = f.channel_id
                  WHERE f.day = %s AND f.in_arrears > 0 {where} GROUP BY ch.name ORDER BY 3"""
    key = {"star": "f.credit_star", "brand": "b.name"}[dimension]
    return f"""SELECT {key}, sum(f.lines), sum(f.owed) FROM arrears_reportfact f
              LEFT JOIN customers_brand b ON b.id = f.brand_id
              WHERE f.day = %s {where} GROUP BY {key} ORDER BY 3"""


def aging_summary_sql(where: str) -> str:
    return f"""SELECT bucket, sum(lines), sum(owed) FROM arrears_reportfact f
            WHERE f.day = %s AND f.bucket <> '' {where} GROUP BY bucket"""


def agent_scorecard_sql(where: str) -> str:
    return f"""
        SELECT f.channel_id, sum(f.lines), sum(f.in_arrears), sum(f.owed),
               sum(f.completeness_sum)::float / sum(f.completeness_rows),
               sum(f.in_arrears)::float * 100 / sum(f.lines) AS rate, ch.name
        FROM arrears_reportchannelfact f JOIN customers_channel ch ON ch.id = f.channel_id
        WHERE f.day = %s {where} GROUP BY f.channel_id, ch.name HAVING sum(f.lines) > 0
        ORDER BY rate DESC, ch.name LIMIT %s"""


STAR_HISTORY = """SELECT credit_star, sum(customers), sum(in_arrears), sum(owed), sum(closed)
                     FROM arrears_starhistoryfact WHERE day = %s GROUP BY credit_star"""

# The rows of SETTLEMENT_SQL for %(period)s as the bills stood on the facts' %(day)s.
SP_SETTLEMENT_FROM_FACTS = """
        WITH per_agent AS (
            SELECT sp_id, agent_id, sum(revenue) AS revenue, sum(lines) AS lines, sum(share) AS share,
                   sum(left_out) AS left_out, sum(lines_in_arrears) AS in_arrears, sum(captive_lines) AS captive
            FROM arrears_spsettlementfact WHERE day = %(day)s AND period = %(period)s GROUP BY sp_id, agent_id
        ), per_sp AS (
            SELECT sp_id, sum(revenue) AS revenue, sum(lines) AS lines, sum(in_arrears) AS in_arrears,
                   sum(share) AS share, sum(left_out) AS left_out, sum(captive) AS captive
            FROM per_agent GROUP BY sp_id
        ), top_agent AS (
            SELECT DISTINCT ON (sp_id) sp_id, agent_id, revenue FROM per_agent ORDER BY sp_id, revenue DESC, agent_id
        )
        SELECT sp.code, sp.name, p.revenue, p.lines, p.in_arrears, p.share, p.left_out, p.captive,
               coalesce(t.revenue, 0), ch.name
        FROM per_sp p JOIN arrears_serviceprovider sp ON sp.id = p.sp_id
        LEFT JOIN top_agent t ON t.sp_id = p.sp_id LEFT JOIN customers_channel ch ON ch.id = t.agent_id
        ORDER BY p.share DESC, sp.code"""


def barring_duration_facts_sql(where: str) -> str:
    return f"""SELECT holder, sum(restorations), round(sum(days) / sum(restorations), 1)
                      FROM arrears_barringdurationfact f WHERE f.day = %s {where}
                      GROUP BY holder ORDER BY holder DESC"""


VALUE_FACTS_MONTH = "SELECT max(month) FROM arrears_valuefact WHERE day = %s"
VALUE_FIGURES = ("customers", "total", "revenue", "top_customers", "top_value", "bottom_customers", "bottom_value",
                 "bottom_cost", "negative", "negative_value")
VALUE_COUNTS = ("customers", "top_customers", "bottom_customers", "negative")


def value_figures_sql(where: str) -> str:
    """The VALUE_FIGURES of the facts' day (%s) and month (%s), summed over the regions `where` selects."""
    sums = ", ".join(f"coalesce(sum(f.{name}), 0)" if name in VALUE_COUNTS else f"sum(f.{name})"
                     for name in VALUE_FIGURES)
    return f"SELECT {sums} FROM arrears_valuefact f WHERE f.day = %s AND f.month = %s {where}"


# ---------------------------------------------------------------- live reads (arrears.selectors; `scope_sql`:
# core.sql.customer_scope_sql on the line's customer)

def emergency_recovery_sql(scope_sql: str) -> str:
    """Passes whose window of %s months after the end has passed by %s: their arrears and what was paid back."""
    return f"""
                SELECT count(*), coalesce(sum(e.arrears_at_expiry), 0), coalesce(sum(least(e.arrears_at_expiry,
                       (SELECT coalesce(sum(p.amount), 0) FROM arrears_payment p
                        WHERE p.line_id = e.line_id
                          AND (p.paid_at AT TIME ZONE '{time_zone()}')::date > e.valid_until
                          AND (p.paid_at AT TIME ZONE '{time_zone()}')::date
                              <= e.valid_until + make_interval(months => %s)))), 0)
                FROM arrears_emergencypass e JOIN customers_line l ON l.id = e.line_id
                WHERE e.arrears_at_expiry > 0 AND e.valid_until + make_interval(months => %s) <= %s {scope_sql}
                """


def barring_durations_sql(scope_sql: str) -> str:
    """Each restoration since %s paired with the barring before it on the same line, by credit holder."""
    return f"""
            WITH ordered AS (
                SELECT e.line_id, e.to_state, e.at,
                       lag(e.to_state) OVER w AS previous_state, lag(e.at) OVER w AS previous_at
                FROM arrears_barringevent e JOIN customers_line l ON l.id = e.line_id
                WHERE e.at >= %s {scope_sql}
                WINDOW w AS (PARTITION BY e.line_id ORDER BY e.at, e.id)
            )
            SELECT (c.credit_star >= 1) AS holder, count(*),
                   round(avg(extract(epoch FROM o.at - o.previous_at) / 86400)::numeric, 1)
            FROM ordered o JOIN customers_line l ON l.id = o.line_id JOIN customers_customer c ON c.id = l.customer_id
            WHERE o.to_state = 'active' AND o.previous_state IN ('one_way_barred', 'two_way_barred', 'in_retention')
            GROUP BY 1 ORDER BY 1 DESC"""


# ---------------------------------------------------------------- SP settlement (arrears.settlement)

SETTLEMENT_SQL = """
WITH charges AS (
    SELECT s.sp_id, s.amount AS charged, b.amount AS bill_amount, c.acquiring_channel_id AS agent,
           CASE WHEN b.due_date < %(today)s THEN b.amount - b.paid_amount ELSE 0 END AS unpaid
    FROM arrears_spcharge s
    JOIN arrears_bill b ON b.id = s.bill_id
    JOIN customers_customer c ON c.id = b.customer_id
    WHERE s.period = %(period)s
), per_sp AS (
    SELECT sp_id, sum(charged) AS revenue, count(*) AS lines,
           coalesce(sum(unpaid * charged / nullif(bill_amount, 0)) FILTER (WHERE unpaid >= %(min)s), 0) AS share,
           coalesce(sum(unpaid * charged / nullif(bill_amount, 0))
                    FILTER (WHERE unpaid > 0 AND unpaid < %(min)s), 0) AS left_out,
           count(*) FILTER (WHERE unpaid >= %(min)s) AS lines_in_arrears,
           count(*) FILTER (WHERE charged * 100 >= %(captive)s * bill_amount) AS captive_lines
    FROM charges GROUP BY sp_id
), top_agent AS (
    SELECT DISTINCT ON (sp_id) sp_id, agent, revenue
    FROM (SELECT sp_id, agent, sum(charged) AS revenue FROM charges GROUP BY sp_id, agent) per_agent
    ORDER BY sp_id, revenue DESC, agent
)
SELECT sp.code, sp.name, p.revenue, p.lines, p.lines_in_arrears, p.share, p.left_out, p.captive_lines,
       coalesce(t.revenue, 0), ch.name
FROM per_sp p
JOIN arrears_serviceprovider sp ON sp.id = p.sp_id
LEFT JOIN top_agent t ON t.sp_id = p.sp_id
LEFT JOIN customers_channel ch ON ch.id = t.agent
ORDER BY p.share DESC, sp.code
"""
