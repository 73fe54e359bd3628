"""Honest campaign results (issue 16 item 4): a member counts from the day they were tagged. Arrears, churn and
revenue are measured on the billing periods that start after that day, against two baselines: the same
segment's customers who did not take the offer, over the same window (from the launch), and the members' own
three billing periods before they were tagged. A campaign launched today therefore shows no arrears and no
revenue until its members have a billing period after tagging.

One set-based statement per group; every group is in the reader's scope."""

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection

from core.sql import customer_scope_sql
from marketing import policies
from customers.choices import MemberHow
from marketing.segment import campaign_target

PARTICIPANT_HOWS = [MemberHow.ACQUIRED.value, MemberHow.CONVERTED.value]
PRE_PERIODS = 3  # the members' own billing periods before tagging

GROUP_SQL = """
WITH grp AS ({members}),
after AS (  -- billing periods that start after the member's start day (a period is its month's first day)
    SELECT g.customer_id, count(DISTINCT b.period) AS periods, sum(b.amount) AS revenue,
           coalesce(sum(b.amount - b.paid_amount) FILTER (WHERE b.due_date < %(today)s
                                                            AND b.paid_amount < b.amount), 0) AS owed
    FROM grp g JOIN arrears_bill b ON b.customer_id = g.customer_id AND b.period > g.start
    GROUP BY g.customer_id),
before AS (
    SELECT g.customer_id, count(DISTINCT b.period) AS periods, sum(b.amount) AS revenue
    FROM grp g JOIN arrears_bill b ON b.customer_id = g.customer_id
     AND b.period < date_trunc('month', g.start)::date
     AND b.period >= (date_trunc('month', g.start) - make_interval(months => %(pre)s))::date
    GROUP BY g.customer_id),
churned AS (  -- closed after the start: every line closed, the last one after the start day; LATERAL: from each
    -- member to its customer by key, whatever the estimate of closed customers (a stale one nested the group inside
    -- every closed customer at 1M)
    SELECT g.customer_id FROM grp g
    CROSS JOIN LATERAL (SELECT c.status FROM customers_customer c WHERE c.id = g.customer_id) c
    WHERE c.status = 'closed'
      AND (SELECT max(l.closed_on) FROM customers_line l WHERE l.customer_id = g.customer_id) > g.start)
SELECT c.credit_star, count(*), count(ch.customer_id), count(*) FILTER (WHERE a.owed > 0),
       coalesce(sum(a.owed), 0), coalesce(sum(a.periods), 0), coalesce(sum(a.revenue), 0),
       count(*) FILTER (WHERE a.periods > 0),
       coalesce(sum(bf.revenue / bf.periods * a.periods) FILTER (WHERE bf.periods > 0 AND a.periods > 0), 0),
       coalesce(sum(a.revenue) FILTER (WHERE bf.periods > 0 AND a.periods > 0), 0)
FROM grp g JOIN customers_customer c ON c.id = g.customer_id
LEFT JOIN after a ON a.customer_id = g.customer_id
LEFT JOIN before bf ON bf.customer_id = g.customer_id
LEFT JOIN churned ch ON ch.customer_id = g.customer_id
GROUP BY c.credit_star"""

MEMBERS_SQL = """SELECT m.customer_id, (m.tagged_at AT TIME ZONE %(tz)s)::date AS start
    FROM marketing_campaignmember m WHERE m.campaign_id = %(campaign)s AND m.how = ANY(%(hows)s) {scope}"""


def _empty() -> dict:
    return {"counts": {}, "customers": 0, "churned": 0, "in_arrears": 0, "owed": Decimal(0), "periods": 0,
            "revenue": Decimal(0), "billed": 0, "expected_own": Decimal(0), "revenue_with_pre": Decimal(0)}


def _run(members_sql: str, params: dict) -> dict:
    with connection.cursor() as cur:
        cur.execute(GROUP_SQL.format(members=members_sql), params)
        return _accumulate(cur.fetchall())


def _accumulate(rows) -> dict:
    """A group's figures from its rows per star (live, or summed from the facts)."""
    out = _empty()
    for star, n, churned, k, owed, periods, revenue, billed, expected_own, with_pre in rows:
        out["counts"][star] = n
        out["customers"] += n
        out["churned"] += churned
        out["in_arrears"] += k
        out["owed"] += Decimal(owed)
        out["periods"] += periods
        out["revenue"] += Decimal(revenue)
        out["billed"] += billed
        out["expected_own"] += Decimal(expected_own)
        out["revenue_with_pre"] += Decimal(with_pre)
    return out


def _params(campaign, today: date) -> dict:
    return {"campaign": campaign.pk, "today": today, "tz": settings.TIME_ZONE, "pre": PRE_PERIODS}


def member_group(*, campaign, hows, user, today: date) -> dict:
    """Tagged customers (of `hows`), each from the day they were tagged."""
    scope, scope_params = customer_scope_sql(user, "m.customer_id")
    params = _params(campaign, today)
    # the scope's subquery takes positional parameters: inline it through a named one per value
    named = {f"s{i}": v for i, v in enumerate(scope_params)}
    for i in range(len(scope_params)):
        scope = scope.replace("%s", f"%(s{i})s", 1)
    return _run(MEMBERS_SQL.format(scope=scope), {**params, "hows": list(hows), **named})


def _baseline_members(campaign, user, chunk: str = "") -> tuple[str, dict] | None:
    """The members SQL of the baseline (the segment's customers in the reader's scope who did not take the offer,
    from the launch day) and its parameters; None when there is none. `chunk`: a condition on t.id."""
    if not campaign.launched_at:
        return None
    try:
        target = campaign_target(campaign=campaign, user=user).values("pk")
        sql, target_params = target.query.sql_with_params()
    except (EmptyResultSet, ValidationError):
        return None
    named = {f"t{i}": v for i, v in enumerate(target_params)}
    for i in range(len(target_params)):
        sql = sql.replace("%s", f"%(t{i})s", 1)
    launch = campaign.launched_at.astimezone(_tz()).date()
    members = f"""SELECT t.id AS customer_id, %(launch)s::date AS start FROM ({sql}) AS t (id)
        WHERE NOT EXISTS (SELECT 1 FROM marketing_campaignmember m WHERE m.campaign_id = %(campaign)s
                          AND m.customer_id = t.id AND m.how = ANY(%(hows)s)) {chunk}"""
    return members, {**named, "launch": launch, "hows": PARTICIPANT_HOWS}


def baseline_group(*, campaign, user, today: date) -> dict:
    """The segment's customers (in the reader's scope) who did not take the offer, from the launch day."""
    baseline = _baseline_members(campaign, user)
    if baseline is None:
        return _empty()
    members, params = baseline
    return _run(members, {**_params(campaign, today), **params})


# ---------------------------------------------------------------- nightly facts (batch marketing.results_facts)
FACT_GROUPS = {"participants": PARTICIPANT_HOWS, "targeted": [MemberHow.TARGETED.value], "baseline": None}
FACTS_SQL = GROUP_SQL.replace("\nSELECT c.credit_star,", """
INSERT INTO marketing_campaigngroupfact (day, chunk_lo, campaign_id, "group", region_id, credit_star, customers,
    churned, in_arrears, owed, periods, revenue, billed, expected_own, revenue_with_pre)
SELECT %(today)s, %(lo)s, %(campaign)s, %(group)s, c.region_id, c.credit_star,""").replace(
    "GROUP BY c.credit_star", "GROUP BY c.region_id, c.credit_star")
assert FACTS_SQL.count("INSERT") == 1 and "GROUP BY c.region_id" in FACTS_SQL, "GROUP_SQL's select list moved"


def group_facts_write(*, campaign, day: date, lo: int, hi: int) -> int:
    """The campaign's three groups for customers with id in [lo, hi), as of `day`, into the facts."""
    rows = 0
    chunk = {"lo": lo, "hi": hi, **_params(campaign, day)}
    for key, hows in FACT_GROUPS.items():
        if hows is not None:
            members, params = MEMBERS_SQL.format(scope="AND m.customer_id >= %(lo)s AND m.customer_id < %(hi)s"), {
                "hows": list(hows)}
        else:
            baseline = _baseline_members(campaign, None, "AND t.id >= %(lo)s AND t.id < %(hi)s")
            if baseline is None:
                continue
            members, params = baseline
        with connection.cursor() as cur:
            cur.execute(FACTS_SQL.format(members=members), {**chunk, **params, "group": key})
            rows += cur.rowcount
    return rows


def group_from_facts(*, campaign, key: str, day: date, region_id: int | None) -> dict:
    """A group as `_run` returns it, summed from the night's facts (the province, or one region)."""
    region = "" if region_id is None else "AND region_id = %(region)s"
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT credit_star, sum(customers), sum(churned), sum(in_arrears), sum(owed), sum(periods), sum(revenue),
                   sum(billed), sum(expected_own), sum(revenue_with_pre)
            FROM marketing_campaigngroupfact
            WHERE campaign_id = %(campaign)s AND day = %(day)s AND "group" = %(group)s {region}
            GROUP BY credit_star""", {"campaign": campaign.pk, "day": day, "group": key, "region": region_id})
        return _accumulate(cur.fetchall())


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def _rate(part, whole) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(Decimal("0.01")) if whole else None


def compare(*, participants: dict, baseline: dict, campaign) -> dict:
    """Incremental revenue against each baseline and the net of arrears and cost (pure: no database)."""
    p, b = participants, baseline
    per_period_baseline = (b["revenue"] / b["periods"]) if b["periods"] else None
    incremental_vs_segment = (p["revenue"] - per_period_baseline * p["periods"]).quantize(Decimal("0.01")) \
        if per_period_baseline is not None and p["periods"] else None
    incremental_vs_own = (p["revenue_with_pre"] - p["expected_own"]).quantize(Decimal("0.01")) \
        if p["expected_own"] else None
    arrears_rate, baseline_arrears_rate = _rate(p["in_arrears"], p["billed"]), _rate(b["in_arrears"], b["billed"])
    excess_arrears = None
    if b["periods"] and p["periods"]:  # arrears per billed period above the segment's, times the members' periods
        excess_arrears = (p["owed"] - b["owed"] / b["periods"] * p["periods"]).quantize(Decimal("0.01"))
    cost = (p["customers"] * campaign.incentive_per_customer + campaign.monthly_cost * p["periods"]).quantize(
        Decimal("0.01"))
    incremental = incremental_vs_segment if incremental_vs_segment is not None else incremental_vs_own
    net = None if incremental is None else (incremental - (excess_arrears if excess_arrears is not None
                                                           else p["owed"]) - cost).quantize(Decimal("0.01"))
    return {"billed_periods": p["periods"], "billed_members": p["billed"],
            "revenue_per_period": (p["revenue"] / p["periods"]).quantize(Decimal("0.01")) if p["periods"] else None,
            "baseline_revenue_per_period": per_period_baseline.quantize(Decimal("0.01"))
            if per_period_baseline is not None else None,
            "incremental_vs_segment": incremental_vs_segment, "incremental_vs_own": incremental_vs_own,
            "arrears_rate": arrears_rate, "baseline_arrears_rate": baseline_arrears_rate,
            "churn_rate": _rate(p["churned"], p["customers"]),
            "baseline_churn_rate": _rate(b["churned"], b["customers"]),
            "excess_arrears": excess_arrears, "cost": cost, "net": net}


def group_view(group: dict, history: dict) -> dict:
    """A group's figures for the page, with the forecast of its stars (the approval's history)."""
    forecast = policies.expected_exposure(group["counts"], history)
    n = group["customers"]
    return {"customers": n, "forecast_exposure": forecast["total"],
            "forecast_in_arrears": forecast["expected_in_arrears"].quantize(Decimal("0.1")),
            "forecast_churn": forecast["expected_churn"].quantize(Decimal("0.1")),
            "actual_in_arrears": group["in_arrears"], "actual_arrears": group["owed"].quantize(Decimal("0.01")),
            "actual_churn": group["churned"], "billed_periods": group["periods"], "billed": group["billed"],
            "revenue": group["revenue"].quantize(Decimal("0.01")),
            "arrears_rate": round(100 * group["in_arrears"] / group["billed"], 2) if group["billed"] else 0,
            "churn_rate": round(100 * group["churned"] / n, 2) if n else 0}
