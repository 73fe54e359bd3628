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
from arrears.sql.report import (ARREARS_FACTS, CHANNEL_FACTS, DURATION_FACTS, FACT_TABLES, SP_FACTS,
                                SP_SETTLEMENT_FROM_FACTS, STAR_FACTS, STAR_HISTORY, VALUE_FACTS, VALUE_FACTS_MONTH,
                                VALUE_FIGURES, agent_scorecard_sql, aging_summary_sql, arrears_by_sql,
                                barring_duration_facts_sql, forget_old_facts_sql, region_filter_sql,
                                value_figures_sql)
from arrears.value import BOTTOM_DECILES, TOP_DECILES
from core.batches import batch_register, facts_forget_before, latest_done_day
from customers.models import Channel

REPORT_FACTS_KIND = "arrears.report_facts"
REPORT_FACTS_CHUNK = 100_000  # customers per chunk: ~1-2 s with their lines and accounts at 1M
KEEP_DAYS = 7  # older nights' facts are deleted when a new night's run is planned


DURATION_DAYS = 365  # the live report's default window (arrears.selectors.barring_durations)
SP_FACT_MONTHS = 3  # the settlement months kept per night: the last three before it


def sp_fact_periods(day: date) -> list[date]:
    first, out = day.replace(day=1), []
    for _ in range(SP_FACT_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out


@batch_register(REPORT_FACTS_KIND, table="customers_customer", chunk_size=REPORT_FACTS_CHUNK)
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


def old_facts_forget(day: date) -> None:
    """Nights older than a week before `day`, but never the latest complete one."""
    before = facts_forget_before(REPORT_FACTS_KIND, day, KEEP_DAYS)
    with connection.cursor() as cur:
        for table in FACT_TABLES:
            cur.execute(forget_old_facts_sql(table), [before])


def facts_day() -> date | None:
    """The latest night whose facts are complete (every chunk done), or None."""
    return latest_done_day(REPORT_FACTS_KIND)


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def arrears_by(day: date, dimension: str, region_id: int | None) -> list[dict]:
    """Lines in arrears and what they owe per star, brand or acquiring channel (as selectors.arrears_by)."""
    where, params = region_filter_sql(region_id)
    sql = arrears_by_sql(dimension, where)
    return [{"key": "—" if key is None else str(key), "lines": lines, "owed": str(-owed)}
            for key, lines, owed in _fetch(sql, [day, *params])]


def aging_summary(day: date, region_id: int | None) -> list[dict]:
    where, params = region_filter_sql(region_id)
    found = {bucket: (lines, owed) for bucket, lines, owed in _fetch(
        aging_summary_sql(where), [day, *params])}
    return [{"bucket": name, "lines": found.get(name, (0, 0))[0], "owed": str(-(found.get(name, (0, 0))[1] or 0))}
            for name, _, _ in AGE_BUCKETS]


def agent_scorecard(day: date, region_id: int | None, limit: int) -> list[dict]:
    where, params = region_filter_sql(region_id)
    rows = _fetch(agent_scorecard_sql(where), [day, *params, limit])
    channels = Channel.objects.in_bulk([r[0] for r in rows])
    return [{"channel": name, "kind": channels[pk].get_kind_display(), "lines": lines, "in_arrears": in_arrears,
             "rate": round(rate or 0, 2), "owed": str(-(owed or 0)), "completeness": round(completeness or 0)}
            for pk, lines, in_arrears, owed, completeness, rate, name in rows]


def star_history(day: date) -> list[tuple]:
    """(star, customers, in arrears, owed, closed) per star: the rows of marketing's HISTORY_FROM_ACCOUNTS."""
    return _fetch(STAR_HISTORY, [day])


def sp_settlement_rows(day: date, period: date) -> list[tuple] | None:
    """The rows of arrears.settlement.SETTLEMENT_SQL for `period` as the bills stood on `day` with the policy's
    minimum, or None when that night did not pre-aggregate the period."""
    if period not in sp_fact_periods(day):
        return None
    return _fetch(SP_SETTLEMENT_FROM_FACTS, {"day": day, "period": period})


def barring_durations(day: date, region_id: int | None) -> list[dict]:
    """As arrears.selectors.barring_durations over the 12 months before `day`."""
    where, params = region_filter_sql(region_id)
    rows = _fetch(barring_duration_facts_sql(where), [day, *params])
    return [{"credit_holders": bool(holder), "restorations": n, "average_days": days} for holder, n, days in rows]


def value_figures(day: date, region_id: int | None) -> dict | None:
    """As arrears.value.value_report_live on the facts' night: the month and its figures (None: no ranked month)."""
    months = _fetch(VALUE_FACTS_MONTH, [day])
    if months[0][0] is None:
        return None
    where, params = region_filter_sql(region_id)
    row = _fetch(value_figures_sql(where), [day, months[0][0], *params])[0]
    return {"month": months[0][0], **dict(zip(VALUE_FIGURES, row, strict=True))}
