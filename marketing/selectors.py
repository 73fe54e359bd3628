"""Reads for marketing: the segment query, the risk assessment and the campaign results. Counts are in the
user's scope (Customer.objects.visible_to); historical arrears figures are the province's."""

import json
import operator
from datetime import date, datetime
from decimal import Decimal
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from arrears import report_facts
from arrears.models import Bill, LineAccount
from core.roles import user_role
from core.scope import aggregate_scope, customer_scope_q
from customers.models import Customer, Line
from marketing import policies, results
from marketing.batches import results_facts_state
from marketing.choices import CampaignStatus
from customers.choices import MemberHow
from marketing.models import Campaign, CampaignMember, Notification
from marketing.segment import campaign_target, target_queryset  # below marketing.results, which reads it too
from marketing.sql import HISTORY_FROM_ACCOUNTS, HISTORY_FROM_BILLS
from retention import selectors as retention_selectors

PARTICIPANT_HOWS = (MemberHow.ACQUIRED, MemberHow.CONVERTED)


# ---------------------------------------------------------------- campaigns
def campaign_list(*, user) -> QuerySet[Campaign]:
    """Campaigns are the province's plans: everyone allowed to see campaigns sees them all."""
    return Campaign.objects.select_related("author__staff_profile")


def campaign_get(*, user, pk: int) -> Campaign:
    return get_object_or_404(campaign_list(user=user), pk=pk)


def campaign_timeline(*, campaign: Campaign) -> dict:
    return {
        "decisions": list(campaign.decisions.select_related("by__staff_profile")),
        "opinions": list(campaign.opinions.select_related("reviewer__staff_profile", "answered_by")),
    }


def review_gaps(*, campaign: Campaign) -> policies.ReviewGaps:
    """The current round's risk controls without an opinion and the "must change" opinions not answered."""
    return policies.review_gaps([policies.OpinionState(r, c, v, a is not None) for r, c, v, a in
                                 campaign.opinions.values_list("review_round", "control", "verdict", "answered_at")],
                                campaign.review_round)


def _display(field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(dict(field.flatchoices).get(value, value)) if field.choices else str(value)


def round_changes(*, campaign: Campaign) -> dict | None:
    """What the author changed since the version the last review round saw: the campaign as submitted in that
    round (its first history record of the round, django-simple-history) against the campaign now, over the
    fields the author writes. None before anything was reviewed."""
    reviewed_round = campaign.review_round if campaign.is_editable else campaign.review_round - 1
    if reviewed_round < 1:
        return None
    records = campaign.history.order_by("history_date", "history_id")
    reviewed, latest = records.filter(review_round=reviewed_round).first(), records.last()
    if reviewed is None or latest is None:
        return None
    delta = latest.diff_against(reviewed, included_fields=policies.EDITABLE_FIELDS)
    order = {name: i for i, name in enumerate(policies.EDITABLE_FIELDS)}
    rows = []
    for change in sorted(delta.changes, key=lambda c: order[c.field]):
        field = Campaign._meta.get_field(change.field)
        rows.append({"field": change.field, "label": str(field.verbose_name),
                     "before": _display(field, change.old), "after": _display(field, change.new)})
    return {"round": reviewed_round, "changes": rows}


def notifications_for(*, user, campaign: Campaign | None = None, limit: int = 10) -> list[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return list(qs.select_related("campaign")[:limit])


# ---------------------------------------------------------------- the segment query (marketing.segment)
def segment_count(*, rules: dict, min_star: int | None = None, user) -> int:
    return target_queryset(rules=rules, min_star=min_star, user=user).count()


def star_distribution(qs: QuerySet[Customer]) -> dict:
    """{star (None = unrated): customers} of a customer queryset, in one GROUP BY."""
    return {row["credit_star"]: row["n"] for row in qs.values("credit_star").annotate(n=Count("id")).order_by()}


# ---------------------------------------------------------------- historical figures per star
def drafted_by(campaign: Campaign, user) -> bool:
    """The author, or anyone who edited the plan or answered its review: four eyes means the reviewer wrote
    none of it."""
    return campaign.author_id == user.pk or campaign.history.filter(
        history_user=user, history_change_reason="edited").exists() or campaign.opinions.filter(
        answered_by=user).exists()


def offered_targets(*, campaign: Campaign, user) -> list[str]:
    """The workflow steps the pages offer this user: those whose role and four-eyes rules they pass."""
    return policies.offered_targets(campaign.status, role=user_role(user),
                                    is_author=lambda: drafted_by(campaign, user))


def star_history(*, today: date | None = None, live: bool = False) -> tuple[dict, str]:
    """({star: StarHistory}, source): per star, the province's customers, those in arrears (a line account in
    arrears), what they owe in total, and those closed (churned). Source "accounts" or "bills". From last night's
    report facts (arrears.report_facts) when there are some, unless `live` or a day is asked for."""
    if not live and today is None and (day := report_facts.facts_day()):
        rows, source = report_facts.star_history(day), "accounts"
        return {star: policies.StarHistory(customers=n, in_arrears=k, arrears_amount=Decimal(owed), closed=closed)
                for star, n, k, owed, closed in rows}, source
    today = today or timezone.localdate()
    with connection.cursor() as cur:
        if LineAccount.objects.exists():
            cur.execute(HISTORY_FROM_ACCOUNTS)
            source = "accounts"
        else:
            cur.execute(HISTORY_FROM_BILLS, [today])
            source = "bills"
        rows = cur.fetchall()
    return {star: policies.StarHistory(customers=n, in_arrears=k, arrears_amount=Decimal(owed), closed=closed)
            for star, n, k, owed, closed in rows}, source


def history_to_json(history: dict) -> dict:
    return {("unrated" if star is None else str(star)): {
        "customers": h.customers, "in_arrears": h.in_arrears, "arrears_amount": str(h.arrears_amount),
        "closed": h.closed} for star, h in history.items()}


def history_from_json(data: dict) -> dict:
    return {(None if key == "unrated" else int(key)): policies.StarHistory(
        customers=v["customers"], in_arrears=v["in_arrears"], arrears_amount=Decimal(v["arrears_amount"]),
        closed=v.get("closed", 0)) for key, v in data.items()}


# ---------------------------------------------------------------- the risk assessment
def overlap(*, campaign: Campaign, target: QuerySet[Customer]) -> dict:
    """Customers of this target that other offers already reach (over-marketing): tagged by a running
    campaign; in the segment of a campaign approved but not yet launched (launch will tag exactly that
    segment); holding a running retention offer (an alert with an offer made and not closed, or retained with
    the accepted offer still paying out). `customers` counts each customer once. Three statements, however
    many campaigns."""
    return overlap_and_stars(campaign=campaign, target=target)[0]


def overlap_and_stars(*, campaign: Campaign, target: QuerySet[Customer]) -> tuple[dict, dict]:
    """`overlap` and the target's star distribution (as `star_distribution`) from one pass over the target: the
    overlap's counts are taken per star and summed (each running campaign's too), so the risk assessment reads
    the segment once."""
    rows, others = _overlap_rows(campaign=campaign, target=target)
    return _overlap_summary(rows, others)


def _overlap_rows(*, campaign: Campaign, target: QuerySet[Customer], by_region: bool = False) -> tuple[list, dict]:
    """The target's customers per star (and region), each row with how many of them the other offers reach:
    `customers` (any), `retention`, `running_<id>`, `approved_<id>`; and {key: (id, name, status)} of those
    campaigns."""
    running = list(Campaign.objects.filter(status=CampaignStatus.RUNNING).exclude(pk=campaign.pk).order_by("pk"))
    reaches = {"retention": Q(Exists(retention_selectors.running_offers().filter(customer=OuterRef("pk"))))}
    reaches.update({f"running_{other.pk}": Q(Exists(CampaignMember.objects.filter(
        campaign_id=other.pk, customer=OuterRef("pk")))) for other in running})
    others = {f"running_{other.pk}": (other.pk, other.name, CampaignStatus.RUNNING.value) for other in running}
    for other in Campaign.objects.filter(status=CampaignStatus.APPROVED).exclude(pk=campaign.pk):
        try:
            reaches[f"approved_{other.pk}"] = Q(pk__in=campaign_target(campaign=other).values("pk"))
        except ValidationError:  # a segment naming a region or brand since removed: it cannot launch either
            continue
        others[f"approved_{other.pk}"] = (other.pk, other.name, CampaignStatus.APPROVED.value)
    group = ("region_id", "credit_star") if by_region else ("credit_star",)
    rows = list(target.values(*group).annotate(
        n=Count("pk"), customers=Count("pk", filter=reduce(operator.or_, reaches.values())),
        **{key: Count("pk", filter=q) for key, q in reaches.items()}).order_by())
    return rows, others


def _overlap_summary(rows: list, others: dict) -> tuple[dict, dict]:
    """(overlap, {star: customers}) summed over the rows of `_overlap_rows`."""
    counts = {key: sum(row.get(key, 0) for row in rows) for key in ("customers", "retention", *others)}
    campaigns = [{"id": pk, "name": name, "customers": counts[key], "status": status}
                 for key, (pk, name, status) in others.items() if counts[key]]
    stars = {}
    for row in rows:
        stars[row["credit_star"]] = stars.get(row["credit_star"], 0) + row["n"]
    return ({"customers": counts["customers"], "retention_offers": counts["retention"],
             "campaigns": sorted(campaigns, key=lambda r: -r["customers"])}, stars)


def segment_figures_count(*, campaign: Campaign) -> dict:
    """The whole segment's figures the review reads (per region and star: its customers and the other offers
    reaching them), counted in one pass when the campaign is submitted (services.segment_figures_refresh), so the
    review page of a province-wide role or a region does not count a province's segment on every view."""
    rows, others = _overlap_rows(campaign=campaign, target=campaign_target(campaign=campaign), by_region=True)
    return {"counted_at": timezone.now().isoformat(), "segment": campaign.segment, "min_star": campaign.min_star,
            "rows": rows, "others": {key: list(value) for key, value in others.items()}}


def stored_overlap_and_stars(*, campaign: Campaign, user) -> tuple[dict, dict, str] | None:
    """`overlap_and_stars` of the user's scope from the figures counted at submission, with when they were
    counted: for a province-wide role or a region (core.scope.aggregate_scope); None when the reader's scope is
    a book (counted live) or the stored figures are not those of the campaign's segment as it is."""
    scope = aggregate_scope(user)
    figures = campaign.segment_figures
    if (scope is None or not figures or figures.get("segment") != campaign.segment
            or figures.get("min_star") != campaign.min_star):
        return None
    rows = [row for row in figures["rows"] if scope[1] is None or row["region_id"] == scope[1]]
    overlapping, stars = _overlap_summary(rows, {key: tuple(value) for key, value in figures["others"].items()})
    return overlapping, stars, datetime.fromisoformat(figures["counted_at"])


def risk_assessment(*, campaign: Campaign, user, live: bool = False) -> dict:
    """Computed, not typed: segment size and stars, expected exposure, overlap, revenue and the warnings. The
    segment's figures for a province-wide role or a region are those counted at submission (`counted_at`), unless
    `live` (a credit decision counts them now); a book is counted live."""
    stored = None if live else stored_overlap_and_stars(campaign=campaign, user=user)
    if stored is not None:
        overlapping, counts, counted_at = stored
    else:
        target = campaign_target(campaign=campaign, user=user)
        (overlapping, counts), counted_at = overlap_and_stars(campaign=campaign, target=target), None
    size = sum(counts.values())
    history, source = star_history()
    exposure = policies.expected_exposure(counts, history)
    warnings = policies.campaign_warnings(
        usage_cap=campaign.usage_cap, in_plan_tariff=campaign.in_plan_tariff,
        out_of_plan_tariff=campaign.out_of_plan_tariff, deposit=campaign.deposit,
        low_credit_customers=policies.low_credit_count(counts), incentive_basis=campaign.incentive_basis)
    participants = campaign.expected_participants or size
    # the exposure of the expected participants, at the segment's average exposure per customer
    participant_exposure = exposure["total"] * participants / size if size else Decimal(0)
    revenue = policies.revenue_analysis(
        participants=participants, monthly_revenue=campaign.monthly_revenue, monthly_cost=campaign.monthly_cost,
        months=campaign.duration_months, incentive=campaign.incentive_per_customer, exposure=participant_exposure)
    return {
        "size": size, "counts": counts, "exposure": exposure, "history": history, "history_source": source,
        "overlap": overlapping, "warnings": warnings,
        "blocking": policies.blocking_codes(warnings),
        "tariff_ratio": policies.tariff_ratio(campaign.in_plan_tariff, campaign.out_of_plan_tariff),
        "revenue": revenue, "participants": participants, "counted_at": counted_at,
    }


def _star_key(star) -> str:
    return "unrated" if star is None else str(star)


def assessment_to_json(a: dict) -> dict:
    """The assessment as stored with a decision and as the API answers it (strings for money)."""
    return {
        "size": a["size"],
        "stars": {_star_key(s): n for s, n in a["counts"].items()},
        "exposure_total": str(a["exposure"]["total"]),
        "expected_in_arrears": str(a["exposure"]["expected_in_arrears"].quantize(Decimal("0.01"))),
        "expected_churn": str(a["exposure"]["expected_churn"].quantize(Decimal("0.01"))),
        "per_star": [{"star": _star_key(r["star"]), "customers": r["customers"],
                      "arrears_rate": str(r["arrears_rate"].quantize(Decimal("0.0001"))),
                      "average_arrears": str(r["average_arrears"]), "exposure": str(r["exposure"])}
                     for r in a["exposure"]["per_star"]],
        "history": history_to_json(a["history"]), "history_source": a["history_source"],
        "overlap": a["overlap"], "warnings": [w.as_dict() for w in a["warnings"]], "blocking": list(a["blocking"]),
        "tariff_ratio": None if a["tariff_ratio"] is None else str(a["tariff_ratio"].quantize(Decimal("0.01"))),
        "participants": a["participants"], "revenue": {k: str(v) for k, v in a["revenue"].items()},
    }


# ---------------------------------------------------------------- results after launch
CHART_LABELS = {"arrears_customers": gettext_lazy("Participants in arrears"),
                "churn": gettext_lazy("Participants churned")}  # the results chart's bars, as staff read them


def campaign_results(*, campaign: Campaign, user, today: date | None = None, live: bool = False) -> dict:
    """Tagged customers (in the user's scope) from the day each was tagged, against the segment's customers who
    did not take the offer and against their own months before (marketing.results): arrears, churn, revenue
    and the incremental revenue net of arrears and cost; the forecast of the approval beside them. The three
    groups from last night's facts for the province or a region (`as_of`), unless `live` or a day is asked for;
    for a campaign launched since, counted first tonight (`first_count_tonight`)."""
    scope = aggregate_scope(user) if not live and today is None else None
    night, first_count_tonight = results_facts_state(campaign) if scope else (None, False)
    today = today or timezone.localdate()
    members = CampaignMember.objects.filter(campaign=campaign)
    if customer_scope_q(user):  # a province-wide reader needs no IN (every customer): the members' index is read
        members = members.filter(customer__in=Customer.objects.visible_to(user).values("pk"))
    by_how = dict(members.values_list("how").annotate(n=Count("customer_id")).order_by())
    history = history_from_json(campaign.forecast["history"]) if campaign.forecast.get("history") \
        else star_history()[0]
    if night is not None:
        raw = {key: results.group_from_facts(campaign=campaign, key=key, day=night, region_id=scope[1])
               for key in results.FACT_GROUPS}
    elif first_count_tonight:  # the members tagged so far, by how (counted live above); their figures tonight
        raw = {key: results.group_empty() for key in results.FACT_GROUPS}
        raw["participants"]["customers"] = sum(by_how.get(how, 0) for how in PARTICIPANT_HOWS)
        raw["targeted"]["customers"] = by_how.get(MemberHow.TARGETED, 0)
    else:
        raw = {"participants": results.member_group(campaign=campaign, hows=PARTICIPANT_HOWS, user=user,
                                                    today=today),
               "targeted": results.member_group(campaign=campaign, hows=[MemberHow.TARGETED.value], user=user,
                                                today=today),
               "baseline": results.baseline_group(campaign=campaign, user=user, today=today)}
    groups = {key: results.group_view(group, history) for key, group in raw.items()}
    comparison = results.compare(participants=raw["participants"], baseline=raw["baseline"], campaign=campaign)
    participants = members.filter(how__in=PARTICIPANT_HOWS)
    n_participants = groups["participants"]["customers"]
    revenue_rows = []
    if campaign.launched_at:  # each member's bills of the periods after their tagging, by month
        bills = (Bill.objects.filter(customer__in=participants.values("customer_id"),
                                     customer__campaign_memberships__campaign=campaign,
                                     customer__campaign_memberships__how__in=PARTICIPANT_HOWS,
                                     period__gt=F("customer__campaign_memberships__tagged_at__date"))
                 .annotate(month=TruncMonth("period")).values("month").annotate(billed=Sum("amount")).order_by("month"))
        monthly_forecast = str((campaign.monthly_revenue * n_participants).quantize(Decimal("0.01")))
        revenue_rows = [{"month": row["month"].strftime("%Y-%m"), "actual": str(row["billed"]),
                         "forecast": monthly_forecast} for row in bills]
    p = groups["participants"]
    billed = comparison["billed_periods"] > 0
    targeted = by_how.get(MemberHow.TARGETED, 0) + by_how.get(MemberHow.CONVERTED, 0)
    evaluation = {
        **comparison,
        "targeted": by_how.get(MemberHow.TARGETED, 0), "converted": by_how.get(MemberHow.CONVERTED, 0),
        "acquired": by_how.get(MemberHow.ACQUIRED, 0),
        "conversion_rate": round(100 * by_how.get(MemberHow.CONVERTED, 0) / targeted, 2) if targeted else 0,
        "expected_participants": campaign.expected_participants,
        "revenue_actual": raw["participants"]["revenue"].quantize(Decimal("0.01")),
        "revenue_forecast": (campaign.monthly_revenue * comparison["billed_periods"]).quantize(Decimal("0.01")),
        # until a member has a billing period after tagging there is nothing to set against the forecast
        "arrears_vs_forecast": (round(p["actual_arrears"] / p["forecast_exposure"], 2)
                                if billed and p["forecast_exposure"] else None),
        "measured": billed,
    }
    chart = [{"key": key, "label": str(label), "forecast": str(p[f]), "actual": str(p[a])} for key, label, f, a in (
        ("arrears_customers", CHART_LABELS["arrears_customers"], "forecast_in_arrears", "actual_in_arrears"),
        ("churn", CHART_LABELS["churn"], "forecast_churn", "actual_churn"))]
    return {"groups": groups, "revenue_by_month": revenue_rows, "evaluation": evaluation, "chart": chart,
            "by_how": by_how, "as_of": night, "first_count_tonight": first_count_tonight}


def running_overlap_customers(*, user=None) -> int:
    """Customers tagged by two or more running campaigns: the province's, or those in the user's scope."""
    sizes = dict(CampaignMember.objects.filter(campaign__status=CampaignStatus.RUNNING).values_list("campaign_id")
                 .annotate(n=Count("customer_id")).order_by())
    if len(sizes) < 2:
        return 0
    # A customer in two running campaigns has a membership outside the largest one with another beside it: only
    # the smaller campaigns' members are probed (the largest, often a whole segment, only through the index).
    largest = max(sizes, key=sizes.get)
    members = CampaignMember.objects.filter(campaign_id__in=[pk for pk in sizes if pk != largest]).filter(Exists(
        CampaignMember.objects.filter(customer_id=OuterRef("customer_id"), campaign_id__in=list(sizes))
        .exclude(campaign_id=OuterRef("campaign_id"))))
    if user is not None:
        members = members.filter(customer__in=Customer.objects.visible_to(user).values("pk"))
    return members.values("customer_id").distinct().count()



def members_tagged(*, campaign: Campaign, user, limit: int = 50):
    """The latest customers (in the user's scope) tagged as acquired or converted by the campaign."""
    return (CampaignMember.objects.filter(campaign=campaign, customer__in=Customer.objects.visible_to(user)
                                          .values("pk")).exclude(how="targeted")
            .select_related("customer", "tagged_by").order_by("-tagged_at")[:limit])


def line_in_scope(*, msisdn: str, user):
    """The user's customer's line with this number (the latest activated), or None."""
    return (Line.objects.filter(msisdn=msisdn, customer__in=Customer.objects.visible_to(user).values("pk"))
            .select_related("customer").order_by("-activated_on").first())
