"""The arrears report's figures pre-aggregated each night (batch `arrears.report_facts`, after the evaluation,
the rating and the star snapshot): per id-range chunk of customers, set-based, one row per chunk and dimension
value, in the chunk's transaction (core.batches: resumable, apply-once per day). The figures are the night's
anyway — the arrears age, the barring state and the stars are the nightly runs' — and the page says of which night.

Grain: by region, the narrowest scope a pre-aggregate serves (a province-wide role, a regional manager); a
manager's or a lead's book is small and read live (arrears.selectors). Each reader here answers exactly what its
live twin in arrears.selectors / marketing.selectors answers on the facts' day (tests/arrears/test_report_facts.py).
"""

from datetime import date, timedelta

from django.db import connection

from arrears.policies import AGE_BUCKETS, SP_SETTLEMENT
from arrears.value import BOTTOM_DECILES, TOP_DECILES
from core.batches import register_batch
from core.choices import BatchStatus
from core.models import BatchRun
from customers.models import Channel

REPORT_FACTS_KIND = "arrears.report_facts"
REPORT_FACTS_CHUNK = 100_000  # customers per chunk: ~1-2 s with their lines and accounts at 1M
KEEP_DAYS = 7  # older nights' facts are deleted when a new night's run is planned


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
DURATION_DAYS = 365  # the live report's default window (arrears.selectors.barring_durations)
SP_FACT_MONTHS = 3  # the settlement months kept per night: the last three before it


def sp_fact_periods(day: date) -> list[date]:
    first, out = day.replace(day=1), []
    for _ in range(SP_FACT_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out


@register_batch(REPORT_FACTS_KIND, table="customers_customer", chunk_size=REPORT_FACTS_CHUNK)
def report_facts_refresh(lo: int, hi: int, run) -> int:
    """The chunk's facts for the run's day. A chunk redone after a crash had its rows rolled back with it."""
    day = date.fromisoformat(run.period)
    params = {"day": day, "lo": lo, "hi": hi, "periods": sp_fact_periods(day), "min": SP_SETTLEMENT.min_line_arrears,
              "captive": SP_SETTLEMENT.captive_bill_share, "since": day - timedelta(days=DURATION_DAYS),
              "top": list(TOP_DECILES), "bottom": list(BOTTOM_DECILES)}
    rows = 0
    with connection.cursor() as cur:
        for sql in (CHANNEL_FACTS, ARREARS_FACTS, STAR_FACTS, SP_FACTS, DURATION_FACTS, VALUE_FACTS):
            cur.execute(sql, params)
            rows += cur.rowcount
    return rows


def forget_old_facts(day: date) -> None:
    with connection.cursor() as cur:
        for table in ("arrears_reportchannelfact", "arrears_reportfact", "arrears_starhistoryfact",
                      "arrears_spsettlementfact", "arrears_barringdurationfact", "arrears_valuefact"):
            cur.execute(f"DELETE FROM {table} WHERE day < %s", [day - timedelta(days=KEEP_DAYS)])


def facts_day() -> date | None:
    """The latest night whose facts are complete (every chunk done), or None."""
    period = (BatchRun.objects.filter(kind=REPORT_FACTS_KIND, status=BatchStatus.DONE)
              .order_by("-period").values_list("period", flat=True).first())
    return date.fromisoformat(period) if period else None


def _region_sql(region_id: int | None, alias: str = "f") -> tuple[str, list]:
    return ("", []) if region_id is None else (f"AND {alias}.region_id = %s", [region_id])


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def arrears_by(day: date, dimension: str, region_id: int | None) -> list[dict]:
    """Lines in arrears and what they owe per star, brand or acquiring channel (as selectors.arrears_by)."""
    where, params = _region_sql(region_id)
    if dimension == "channel":
        sql = f"""SELECT ch.name, sum(f.in_arrears), sum(f.owed) FROM arrears_reportchannelfact f
                  LEFT JOIN customers_channel ch ON ch.id = f.channel_id
                  WHERE f.day = %s AND f.in_arrears > 0 {where} GROUP BY ch.name ORDER BY 3"""
    else:
        key = {"star": "f.credit_star", "brand": "b.name"}[dimension]
        sql = f"""SELECT {key}, sum(f.lines), sum(f.owed) FROM arrears_reportfact f
                  LEFT JOIN customers_brand b ON b.id = f.brand_id
                  WHERE f.day = %s {where} GROUP BY {key} ORDER BY 3"""
    return [{"key": "—" if key is None else str(key), "lines": lines, "owed": str(-owed)}
            for key, lines, owed in _fetch(sql, [day, *params])]


def aging_summary(day: date, region_id: int | None) -> list[dict]:
    where, params = _region_sql(region_id)
    found = {bucket: (lines, owed) for bucket, lines, owed in _fetch(
        f"""SELECT bucket, sum(lines), sum(owed) FROM arrears_reportfact f
            WHERE f.day = %s AND f.bucket <> '' {where} GROUP BY bucket""", [day, *params])}
    return [{"bucket": name, "lines": found.get(name, (0, 0))[0], "owed": str(-(found.get(name, (0, 0))[1] or 0))}
            for name, _, _ in AGE_BUCKETS]


def agent_scorecard(day: date, region_id: int | None, limit: int) -> list[dict]:
    where, params = _region_sql(region_id)
    rows = _fetch(f"""
        SELECT f.channel_id, sum(f.lines), sum(f.in_arrears), sum(f.owed),
               sum(f.completeness_sum)::float / sum(f.completeness_rows),
               sum(f.in_arrears)::float * 100 / sum(f.lines) AS rate, ch.name
        FROM arrears_reportchannelfact f JOIN customers_channel ch ON ch.id = f.channel_id
        WHERE f.day = %s {where} GROUP BY f.channel_id, ch.name HAVING sum(f.lines) > 0
        ORDER BY rate DESC, ch.name LIMIT %s""", [day, *params, limit])
    channels = Channel.objects.in_bulk([r[0] for r in rows])
    return [{"channel": name, "kind": channels[pk].get_kind_display(), "lines": lines, "in_arrears": in_arrears,
             "rate": round(rate or 0, 2), "owed": str(-(owed or 0)), "completeness": round(completeness or 0)}
            for pk, lines, in_arrears, owed, completeness, rate, name in rows]


def star_history(day: date) -> list[tuple]:
    """(star, customers, in arrears, owed, closed) per star: the rows of marketing's HISTORY_FROM_ACCOUNTS."""
    return _fetch("""SELECT credit_star, sum(customers), sum(in_arrears), sum(owed), sum(closed)
                     FROM arrears_starhistoryfact WHERE day = %s GROUP BY credit_star""", [day])


def sp_settlement_rows(day: date, period: date) -> list[tuple] | None:
    """The rows of arrears.settlement.SETTLEMENT_SQL for `period` as the bills stood on `day` with the policy's
    minimum, or None when that night did not pre-aggregate the period."""
    if period not in sp_fact_periods(day):
        return None
    return _fetch("""
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
        ORDER BY p.share DESC, sp.code""", {"day": day, "period": period})


def barring_durations(day: date, region_id: int | None) -> list[dict]:
    """As arrears.selectors.barring_durations over the 12 months before `day`."""
    where, params = _region_sql(region_id)
    rows = _fetch(f"""SELECT holder, sum(restorations), round(sum(days) / sum(restorations), 1)
                      FROM arrears_barringdurationfact f WHERE f.day = %s {where}
                      GROUP BY holder ORDER BY holder DESC""", [day, *params])
    return [{"credit_holders": bool(holder), "restorations": n, "average_days": days} for holder, n, days in rows]


VALUE_FIGURES = ("customers", "total", "revenue", "top_customers", "top_value", "bottom_customers", "bottom_value",
                 "bottom_cost", "negative", "negative_value")
VALUE_COUNTS = ("customers", "top_customers", "bottom_customers", "negative")


def value_figures(day: date, region_id: int | None) -> dict | None:
    """As arrears.value.value_report_live on the facts' night: the month and its figures (None: no ranked month)."""
    months = _fetch("SELECT max(month) FROM arrears_valuefact WHERE day = %s", [day])
    if months[0][0] is None:
        return None
    where, params = _region_sql(region_id)
    sums = ", ".join(f"coalesce(sum(f.{name}), 0)" if name in VALUE_COUNTS else f"sum(f.{name})"
                     for name in VALUE_FIGURES)
    row = _fetch(f"SELECT {sums} FROM arrears_valuefact f WHERE f.day = %s AND f.month = %s {where}",
                 [day, months[0][0], *params])[0]
    return {"month": months[0][0], **dict(zip(VALUE_FIGURES, row, strict=True))}
