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

from core.sql import customer_scope_sql, named_params
from marketing import policies
from customers.choices import MemberHow
from marketing.segment import campaign_target
from marketing.sql import (BASELINE_IN_CHUNK, FACTS_SQL, GROUP_SQL, MEMBERS_IN_CHUNK, MEMBERS_SQL,
                           baseline_members_sql, group_from_facts_sql)

PARTICIPANT_HOWS = [MemberHow.ACQUIRED.value, MemberHow.CONVERTED.value]
PRE_PERIODS = 3  # the members' own billing periods before tagging


def group_empty() -> dict:
    """A group with no customer (a campaign's groups before their first count)."""
    return {"counts": {}, "customers": 0, "churned": 0, "in_arrears": 0, "owed": Decimal(0), "periods": 0,
            "revenue": Decimal(0), "billed": 0, "expected_own": Decimal(0), "revenue_with_pre": Decimal(0)}


def _run(members_sql: str, params: dict) -> dict:
    with connection.cursor() as cur:
        cur.execute(GROUP_SQL.format(members=members_sql), params)
        return _accumulate(cur.fetchall())


def _accumulate(rows) -> dict:
    """A group's figures from its rows per star (live, or summed from the facts)."""
    out = group_empty()
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
    scope, named = named_params(scope, scope_params, prefix="s")
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
    sql, named = named_params(sql, target_params, prefix="t")
    launch = campaign.launched_at.astimezone(_tz()).date()
    members = baseline_members_sql(sql, chunk)
    return members, {**named, "launch": launch, "hows": PARTICIPANT_HOWS}


def baseline_group(*, campaign, user, today: date) -> dict:
    """The segment's customers (in the reader's scope) who did not take the offer, from the launch day."""
    baseline = _baseline_members(campaign, user)
    if baseline is None:
        return group_empty()
    members, params = baseline
    return _run(members, {**_params(campaign, today), **params})


# ---------------------------------------------------------------- nightly facts (batch marketing.results_facts)
FACT_GROUPS = {"participants": PARTICIPANT_HOWS, "targeted": [MemberHow.TARGETED.value], "baseline": None}


def group_facts_write(*, campaign, day: date, lo: int, hi: int) -> int:
    """The campaign's three groups for customers with id in [lo, hi), as of `day`, into the facts."""
    rows = 0
    chunk = {"lo": lo, "hi": hi, **_params(campaign, day)}
    for key, hows in FACT_GROUPS.items():
        if hows is not None:
            members, params = MEMBERS_IN_CHUNK, {"hows": list(hows)}
        else:
            baseline = _baseline_members(campaign, None, BASELINE_IN_CHUNK)
            if baseline is None:
                continue
            members, params = baseline
        with connection.cursor() as cur:
            cur.execute(FACTS_SQL.format(members=members), {**chunk, **params, "group": key})
            rows += cur.rowcount
    return rows


def group_from_facts(*, campaign, key: str, day: date, region_id: int | None) -> dict:
    """A group as `_run` returns it, summed from the night's facts (the province, or one region)."""
    with connection.cursor() as cur:
        cur.execute(group_from_facts_sql(by_region=region_id is not None),
                    {"campaign": campaign.pk, "day": day, "group": key, "region": region_id})
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
