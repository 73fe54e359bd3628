"""Reads of the arrears app: the collection queue (scoped) and its aging summary."""

from datetime import date, timedelta

from django.db import connection
from django.db.models import Avg, Case, CharField, Count, F, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone

from arrears import report_facts
from arrears.models import LineAccount
from arrears.policies import AGE_BUCKETS
from arrears.sql.report import barring_durations_sql, emergency_recovery_sql
from arrears.value import value_report_live, with_top_share
from core.scope import aggregate_scope, customer_scope_q
from core.sql import customer_scope_sql
from customers.models import Channel, Customer
from marketing.choices import MemberHow

CAMPAIGN_BROUGHT = (MemberHow.ACQUIRED, MemberHow.CONVERTED)  # not those it only targeted


def _bucket_range(label: str, today: date) -> tuple[date | None, date]:
    """arrears_since dates of a bucket: (earliest or None, latest)."""
    for name, first, last in AGE_BUCKETS:
        if name == label:
            return (today - timedelta(days=last) if last is not None else None), today - timedelta(days=first)
    raise ValueError(label)


def facts_scope(user) -> tuple[date, int | None] | None:
    """(night, region or None for the province) when the user's figures can be read from the nightly report facts
    (core.scope.aggregate_scope), once a night's facts are complete. Otherwise None: read live."""
    scope = aggregate_scope(user)
    if scope is None:
        return None
    day = report_facts.facts_day()
    return None if day is None else (day, scope[1])


def value_report(*, user, live: bool = False) -> dict | None:
    """The customer value report (80/20/30) for the reader: last night's facts for the province or a region
    (arrears.report_facts, the latest month ranked that night), a manager's book live."""
    scope = None if live else facts_scope(user)
    if scope is None:
        return value_report_live(user=user)
    figures = report_facts.value_figures(*scope)
    return None if figures is None else with_top_share(figures)


def collection_queue(*, user, bucket: str = "", today: date | None = None) -> QuerySet[LineAccount]:
    """Lines in arrears that the user may see, most owed first; `bucket` narrows to one aging bucket."""
    today = today or timezone.localdate()
    qs = LineAccount.objects.filter(arrears_since__isnull=False)
    if customer_scope_q(user):  # a province-wide reader needs no IN (every customer): the plan walks the index
        qs = qs.filter(customer__in=Customer.objects.visible_to(user))
    qs = qs.select_related("line", "customer", "line__collection_case").order_by("balance", "line_id")
    if bucket:
        earliest, latest = _bucket_range(bucket, today)
        qs = qs.filter(arrears_since__lte=latest)
        if earliest:
            qs = qs.filter(arrears_since__gte=earliest)
    return qs


def aging_summary(*, user, today: date | None = None, live: bool = False) -> list[dict]:
    """Per aging bucket: lines and amount owed (for the chart), in bucket order; last night's facts for the
    province or a region unless `live`."""
    if not live and today is None and (facts := facts_scope(user)):
        return report_facts.aging_summary(*facts)
    today = today or timezone.localdate()
    whens = []
    for name, first, last in AGE_BUCKETS:
        condition = {"arrears_since__lte": today - timedelta(days=first)}
        if last is not None:
            condition["arrears_since__gte"] = today - timedelta(days=last)
        whens.append(When(**condition, then=Value(name)))
    rows = (collection_queue(user=user, today=today).order_by()
            .annotate(bucket=Case(*whens, output_field=CharField()))
            .values("bucket").annotate(lines=Count("line_id"), owed=Sum("balance")))
    found = {r["bucket"]: r for r in rows}
    return [{"bucket": name, "lines": found.get(name, {}).get("lines", 0),
             "owed": str(-(found.get(name, {}).get("owed") or 0))} for name, _, _ in AGE_BUCKETS]


def collection_item(*, user, line_id: int) -> LineAccount:
    return get_object_or_404(collection_queue(user=user), pk=line_id)


def arrears_by(*, user, dimension: str, live: bool = False) -> list[dict]:
    """Lines in arrears and the amount owed per star, brand, acquiring channel (agent accountability) or the
    campaign that acquired or converted the customer (a customer of two campaigns counts for both). Star, brand
    and channel from last night's facts for the province or a region unless `live`."""
    if not live and dimension != "campaign" and (facts := facts_scope(user)):
        return report_facts.arrears_by(facts[0], dimension, facts[1])
    field = {"star": "customer__credit_star", "brand": "customer__brand__name",
             "channel": "customer__acquiring_channel__name",
             "campaign": "customer__campaign_memberships__campaign__name"}[dimension]
    queue = collection_queue(user=user).order_by()
    if dimension == "campaign":
        queue = queue.filter(customer__campaign_memberships__how__in=CAMPAIGN_BROUGHT)
    rows = queue.values(field).annotate(lines=Count("line_id"), owed=Sum("balance")).order_by("owed")
    return [{"key": "—" if r[field] is None else str(r[field]), "lines": r["lines"], "owed": str(-r["owed"])}
            for r in rows]


def agent_scorecard(*, user, limit: int = 50, live: bool = False) -> list[dict]:
    """Per acquiring channel/outlet/agent: lines it brought, how many are in arrears (rate), what they owe, and
    how complete its customers' data is — "whoever develops it answers for it" (source 000). Worst first. Last
    night's facts for the province or a region unless `live`."""
    if not live and (facts := facts_scope(user)):
        return report_facts.agent_scorecard(facts[0], facts[1], limit)
    visible = Customer.objects.visible_to(user)
    rows = (Channel.objects.filter(customer__in=visible)
            .annotate(lines=Count("customer__lines"),
                      in_arrears=Count("customer__lines__account", filter=Q(
                          customer__lines__account__arrears_since__isnull=False)),
                      owed=Sum("customer__lines__account__balance", filter=Q(
                          customer__lines__account__arrears_since__isnull=False)),
                      completeness=Avg("customer__data_completeness"))
            .filter(lines__gt=0)
            .annotate(rate=Cast(F("in_arrears"), FloatField()) * 100 / Cast(F("lines"), FloatField()))
            .order_by("-rate", "name")[:limit])
    return [{"channel": c.name, "kind": c.get_kind_display(), "lines": c.lines, "in_arrears": c.in_arrears,
             "rate": round(c.rate or 0, 2), "owed": str(-(c.owed or 0)), "completeness": round(c.completeness or 0)}
            for c in rows]


def emergency_recovery(*, user=None, today: date | None = None, months: tuple[int, ...] = (1, 4)) -> dict:
    """How much of the arrears left by ended emergency-continuity passes was paid back within 1 and 4 months
    of the pass ending (the Shanxi figures: > 85 % and > 95 %). Only passes whose window has fully passed
    count for a month; payments count up to the arrears of the pass."""
    today = today or timezone.localdate()
    # only the passes of customers in the user's scope
    scope_sql, scope_params = customer_scope_sql(user, "l.customer_id") if user is not None else ("", [])
    result = {}
    with connection.cursor() as cur:
        for k in months:
            cur.execute(emergency_recovery_sql(scope_sql), [k, k, today, *scope_params])
            passes, arrears, recovered = cur.fetchone()
            result[k] = {"passes": passes, "arrears": arrears, "recovered": recovered,
                         "rate": round(100 * recovered / arrears, 1) if arrears else None}
    return result


def barring_durations(*, user, since: date | None = None, live: bool = False) -> list[dict]:
    """Average days from barring to restoration, for credit holders (1★+) and the others (Shanxi: credit cut
    the average barring duration of its holders by 75%). From the barring events: each restoration paired
    with the barring before it on the same line. The last 12 months from last night's facts for the province or
    a region unless `live` or `since` is given."""
    if not live and since is None and (facts := facts_scope(user)):
        return report_facts.barring_durations(*facts)
    since = since or timezone.localdate() - timedelta(days=365)
    scope_sql, scope_params = customer_scope_sql(user, "l.customer_id")
    with connection.cursor() as cur:
        cur.execute(barring_durations_sql(scope_sql), [since, *scope_params])
        rows = cur.fetchall()
    return [{"credit_holders": bool(holder), "restorations": n, "average_days": days} for holder, n, days in rows]
