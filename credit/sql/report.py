"""The credit report's figures: the star snapshot, the nightly star-count facts and their reads, the outcome
figures (barring durations, churn, population) by credit class."""

from core.sql import customer_scope_sql, named_params

STAR_SNAPSHOT_SQL = """
INSERT INTO credit_starsnapshot (taken_on, star, count)
SELECT %s, credit_star, count(*) FROM customers_customer WHERE status <> 'closed' GROUP BY credit_star"""


# Each restoration since `since` with the barring before it on the same line (however long before: the line's
# previous event, through its (line, time) index), classed by the customer's credit: a holder's barring before
# their first credit (a rating to 1★+), after it, or a customer who never held credit. {scope} narrows the lines (a
# reader's customers, or a chunk's); the live report and the night's facts both average sum / count.
RESTORATIONS = """
WITH restored AS (
    SELECT l.customer_id, date_trunc('month', e.at AT TIME ZONE %(tz)s)::date AS month,
           extract(epoch FROM e.at - p.at) AS seconds, p.at AS previous_at
    FROM arrears_barringevent e JOIN customers_line l ON l.id = e.line_id
    CROSS JOIN LATERAL (
        SELECT b.to_state, b.at FROM arrears_barringevent b
        WHERE b.line_id = e.line_id AND (b.at, b.id) < (e.at, e.id) ORDER BY b.at DESC, b.id DESC LIMIT 1
    ) p
    WHERE e.at >= %(since)s AND e.to_state = 'active'
      AND p.to_state IN ('one_way_barred', 'two_way_barred', 'in_retention') {scope}
),
classed AS (
    SELECT r.*, CASE WHEN f.at IS NULL THEN 'others' WHEN r.previous_at < f.at THEN 'before' ELSE 'after' END
               AS class
    FROM restored r LEFT JOIN LATERAL (
        SELECT min(decided_at) AS at FROM credit_rating WHERE customer_id = r.customer_id AND new_star >= 1) f ON true
)
"""
AVERAGE_DAYS = "round(sum({seconds}) / sum({n}) / 86400, 1)"  # one expression for the live count and the facts
DURATIONS_SQL = RESTORATIONS + f"""
SELECT month, class, {AVERAGE_DAYS.format(seconds="seconds", n="1")} FROM classed GROUP BY 1, 2
"""

# Customers whose last line closed in the month, holders (the closure ended a 1★+ star) and others, over the
# customers open at the month's start (holders: 1★+ then, from the rating history). Only lines closed since the
# series' first month are read (customers_line.closed_on's partial index): a closed customer's latest closure is
# on or after `since` exactly when one of their lines closed then, so the maximum is the same.
CLOSURES = """
WITH closed AS (
    SELECT l.customer_id, max(l.closed_on) AS on_day FROM customers_line l
    JOIN customers_customer c ON c.id = l.customer_id
    WHERE l.closed_on >= %(since)s AND c.status = 'closed' {scope} GROUP BY l.customer_id
),
classed AS (
    SELECT cl.customer_id, date_trunc('month', cl.on_day)::date AS month,
           EXISTS (SELECT FROM credit_rating r
                   WHERE r.customer_id = cl.customer_id AND r.rule = 'closed' AND r.old_star >= 1) AS holder
    FROM closed cl
)
"""
CHURN_SQL = CLOSURES + "SELECT month, holder, count(*) FROM classed GROUP BY 1, 2"
POPULATION_SQL = """
SELECT count(*) FILTER (WHERE c.credit_star >= 1), count(*) FILTER (WHERE c.credit_star IS NULL OR c.credit_star < 1)
FROM customers_customer c WHERE c.status <> 'closed' {scope}
"""


def _scoped(statement: str, user, column: str, prefix: str) -> tuple[str, dict]:
    scope, params = named_params(*customer_scope_sql(user, column), prefix=prefix)
    return statement.replace("{scope}", scope), params


def durations_sql(user) -> tuple[str, dict]:
    """DURATIONS_SQL over the user's customers, and the scope's parameters (add since, tz)."""
    return _scoped(DURATIONS_SQL, user, "l.customer_id", "d")


def churn_sql(user) -> tuple[str, dict]:
    """CHURN_SQL over the user's customers, and the scope's parameters (add since)."""
    return _scoped(CHURN_SQL, user, "c.id", "c")


def population_sql(user) -> tuple[str, dict]:
    """POPULATION_SQL over the user's customers, and the scope's parameters."""
    return _scoped(POPULATION_SQL, user, "c.id", "c")


# --- star-count facts (credit.report_facts): one row per chunk of customers and dimension value ------------------

STAR_FACTS_SQL = """
INSERT INTO credit_starcountfact (day, chunk_lo, region_id, credit_star, status, customers)
SELECT %(day)s, %(lo)s, region_id, credit_star, status, count(*)
FROM customers_customer WHERE id >= %(lo)s AND id < %(hi)s
GROUP BY region_id, credit_star, status
"""

FORGET_STAR_FACTS_SQL = "DELETE FROM credit_starcountfact WHERE day < %s"

# The outcome series of the customers in [lo, hi) per region, month and class (credit.outcomes sums them).
IN_CHUNK = "AND l.customer_id >= %(lo)s AND l.customer_id < %(hi)s"
OUTCOME_FACTS_SQL = [
    RESTORATIONS.replace("{scope}", IN_CHUNK) + """
INSERT INTO credit_outcomefact (day, chunk_lo, region_id, month, measure, credit_class, seconds, n)
SELECT %(day)s, %(lo)s, c.region_id, k.month, 'barring', k.class, sum(k.seconds), count(*)
FROM classed k JOIN customers_customer c ON c.id = k.customer_id GROUP BY c.region_id, k.month, k.class""",
    CLOSURES.replace("{scope}", IN_CHUNK) + """
INSERT INTO credit_outcomefact (day, chunk_lo, region_id, month, measure, credit_class, seconds, n)
SELECT %(day)s, %(lo)s, c.region_id, k.month, 'churn', CASE WHEN k.holder THEN 'holder' ELSE 'other' END, 0, count(*)
FROM classed k JOIN customers_customer c ON c.id = k.customer_id GROUP BY c.region_id, k.month, k.holder""",
]
FORGET_OUTCOME_FACTS_SQL = "DELETE FROM credit_outcomefact WHERE day < %s"


def outcome_facts_sql(*, by_region: bool) -> str:
    """(measure, month, class, average days, n) of a night (parameters: day, since[, region id])."""
    where = "AND region_id = %s" if by_region else ""
    return f"""SELECT measure, month, credit_class, {AVERAGE_DAYS.format(seconds="seconds", n="n")}, sum(n)
               FROM credit_outcomefact WHERE day = %s AND month >= %s {where} GROUP BY measure, month, credit_class"""


OUTCOME_FACTS_EXIST_SQL = "SELECT EXISTS (SELECT FROM credit_outcomefact WHERE day = %s)"


def star_status_counts_sql(*, by_region: bool) -> str:
    """(star, status, customers) of a night (parameters: day[, region id]), for the province or a region."""
    where = "AND region_id = %s" if by_region else ""
    return f"""SELECT credit_star, status, sum(customers) FROM credit_starcountfact WHERE day = %s {where}
                        GROUP BY credit_star, status"""


def star_counts_sql(*, by_region: bool, open_only: bool) -> str:
    """(star, customers) of a night (parameters: day[, region id]), for the province or a region; `open_only`
    leaves closed customers out."""
    where = "AND region_id = %s" if by_region else ""
    if open_only:
        where += " AND status <> 'closed'"
    return f"""SELECT credit_star, sum(customers) FROM credit_starcountfact WHERE day = %s {where}
                        GROUP BY credit_star"""
