"""Reads for the enterprise capability, every one limited to the user's scope (core.scope)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.roles import user_role
from core.scope import customer_scope_q
from core.selectors import LOOKUP_LIMIT
from customers.choices import ServiceStatus
from customers.models import Line
from enterprise import account_reads, policies
from enterprise.choices import OPEN_TASK_STATUSES, AlertStatus, OpportunityStage, Product, ServiceDayStatus, TaskStatus
from enterprise.models import (
    Agreement,
    AssignmentChange,
    ClassPolicy,
    EnterpriseAccount,
    EnterpriseAlert,
    EnterpriseSnapshot,
    Interaction,
    Opportunity,
    ProductHolding,
    SegmentRule,
    SegmentTag,
    ServiceDayOrder,
    ServiceDayReport,
    Task,
)
from enterprise.sql import CLASS_INPUTS_SQL, revenue_swing_sql, signal_values
from retention.selectors import alert_list as retention_alerts

EXPIRY_WINDOW_DAYS = 60  # agreements expiring within this many days show on the workbench


def _member_count():
    return Coalesce(Subquery(
        Line.objects.filter(enterprise=OuterRef("pk")).exclude(status=ServiceStatus.CLOSED).order_by()
        .values("enterprise").annotate(n=Count("*")).values("n"), output_field=IntegerField()), Value(0))


def account_list(*, user) -> QuerySet[EnterpriseAccount]:
    """Accounts in the user's scope: a manager's own, a lead's team's, a region's, all for province-wide roles."""
    return (EnterpriseAccount.objects.filter(customer_scope_q(user))
            .select_related("region", "account_manager", "service_manager")
            .annotate(member_count=_member_count()))


def account_lookup(*, user, q: str = "", pk=None) -> list[dict]:
    """A name picker's enterprise accounts in the user's scope: at most LOOKUP_LIMIT whose name holds `q` (or whose
    account number it is), or the one with id `pk`: {id, text (the name), sub (number and region)}."""
    visible = EnterpriseAccount.objects.filter(customer_scope_q(user)).select_related("region")
    if pk is not None:
        qs = visible.filter(pk=pk)
    elif q:
        match = Q(name__icontains=q)
        if q.isdigit() and len(q) <= 18:
            match |= Q(pk=int(q))
        qs = visible.filter(match)
    else:
        return []
    return [{"id": a.pk, "text": a.name, "sub": f"#{a.pk} · {a.region.name}"}
            for a in qs.order_by("name", "pk")[:LOOKUP_LIMIT]]


def account_get(*, user, pk: int) -> EnterpriseAccount:
    """404 for an account outside the user's scope, the same as for one that does not exist."""
    return get_object_or_404(account_list(user=user), pk=pk)


def task_list(*, user) -> QuerySet[Task]:
    return (Task.objects.filter(customer_scope_q(user, prefix="account__"))
            .select_related("account", "assigned_to", "assigned_by", "completed_by"))


def task_get(*, user, pk: int) -> Task:
    return get_object_or_404(task_list(user=user), pk=pk)


def interaction_list(*, user) -> QuerySet[Interaction]:
    return (Interaction.objects.filter(customer_scope_q(user, prefix="account__"))
            .select_related("account", "by", "service_day"))


def member_list(*, user) -> QuerySet[Line]:
    """Member lines of the enterprise accounts in the user's scope."""
    return (Line.objects.filter(enterprise__isnull=False)
            .filter(customer_scope_q(user, prefix="enterprise__"))
            .select_related("enterprise", "plan", "customer"))


def service_day_list(*, user) -> QuerySet[ServiceDayOrder]:
    return (ServiceDayOrder.objects.filter(customer_scope_q(user, prefix="account__"))
            .select_related("account", "submitted_by", "collection"))


def opportunity_list(*, user) -> QuerySet[Opportunity]:
    """Opportunities on the user's accounts, or prospects the user (or their scope's managers) own."""
    scope = customer_scope_q(user)
    prospects = Opportunity.objects.filter(account__isnull=True)
    if scope:  # not province-wide: own prospects, the team's, the region's
        prospects = prospects.filter(scope)
    return (Opportunity.objects.filter(Q(pk__in=prospects.values("pk"))
                                       | Q(account__in=EnterpriseAccount.objects.filter(scope)))
            .select_related("account", "account_manager", "region"))


# ---------------------------------------------------------------- computed class

def class_inputs(lo: int, hi: int, today: date) -> dict[int, policies.ClassInputs]:
    """The computed class's inputs of accounts with id in [lo, hi), in one set-based query."""
    with connection.cursor() as cur:
        cur.execute(CLASS_INPUTS_SQL, {"lo": lo, "hi": hi, "today": today})
        return {row[0]: policies.ClassInputs(revenue=row[1], members=row[2], products=row[3],
                                             loyalty=Decimal(row[4]), credit=Decimal(row[5]))
                for row in cur.fetchall()}


def active_class_policy() -> ClassPolicy:
    return ClassPolicy.objects.get(active=True)


FACTOR_LABELS = {"revenue": _("Unified-billing revenue per month"), "members": _("Member lines"),
                 "products": _("Products held"), "loyalty": _("Loyalty (years as a customer)"),
                 "credit": _("Credit (members' average star)")}


@dataclass(frozen=True)
class ClassView:
    policy: ClassPolicy
    result: policies.ClassResult
    units: dict

    @property
    def rows(self) -> list[tuple[str, str, policies.FactorPoints]]:
        return [(f.factor, FACTOR_LABELS[f.factor], f) for f in self.result.factors]


def class_view(account: EnterpriseAccount, today: date) -> ClassView:
    """The account's computed class as of today, with each factor's value and points (2 queries)."""
    policy = active_class_policy()
    inputs = class_inputs(account.pk, account.pk + 1, today)[account.pk]
    return ClassView(policy=policy, result=policies.score_class(inputs, policy.as_policy()),
                     units=policies.FACTOR_UNITS)


# ---------------------------------------------------------------- account page


def account_detail(*, account: EnterpriseAccount, today: date) -> dict:
    """Everything the account page shows, in a fixed number of queries however much history there is."""
    members = list(Line.objects.filter(enterprise=account).exclude(status=ServiceStatus.CLOSED)
                   .select_related("customer", "plan").order_by("msisdn")[:50])
    latest_tag_day = SegmentTag.objects.filter(account=account).order_by("-evaluated_on").values("evaluated_on")[:1]
    return {
        "class_view": class_view(account, today),
        "members": members,
        "key_people": account_reads.key_people(account),
        "agreements": account_reads.agreements(account, today),
        "products": list(ProductHolding.objects.filter(account=account)),
        "changes": account_reads.account_changes(account),
        "tasks": list(Task.objects.filter(account=account).select_related("assigned_to", "assigned_by",
                                                                           "completed_by").order_by("-due_date")[:20]),
        "interactions": list(Interaction.objects.filter(account=account).select_related("by")[:20]),
        "assignments": list(AssignmentChange.objects.filter(account=account)
                            .select_related("from_manager", "to_manager", "by")),
        "opportunities": list(Opportunity.objects.filter(account=account).select_related("account_manager")[:20]),
        "tags": list(SegmentTag.objects.filter(account=account, evaluated_on=Subquery(latest_tag_day))),
        "alerts": list(EnterpriseAlert.objects.filter(account=account, status=AlertStatus.OPEN)),
        "service_days": list(ServiceDayOrder.objects.filter(account=account)[:10]),
        "snapshots": list(EnterpriseSnapshot.objects.filter(account=account).order_by("-month")[:12])[::-1],
        "signals": signal_table(account, today),
        "today": today,
    }


def signal_table(account: EnterpriseAccount, today: date) -> list[dict]:
    """Every segmentation rule with the account's value tonight and whether it fires (2 queries)."""
    values = signal_values(account.pk, today)
    rows = []
    for rule in SegmentRule.objects.all():
        value = values.get(rule.code)
        rows.append({"rule": rule, "value": None if value is None else Decimal(value).quantize(Decimal("0.01")),
                     "fires": rule.enabled and policies.rule_fires(rule.direction, value, rule.threshold)})
    return rows


# ---------------------------------------------------------------- workbench


def _own(qs: QuerySet, user, field: str) -> QuerySet:
    """An account manager's workbench lists their own items; leads and regions see their scope's."""
    return qs.filter(**{field: user}) if user_role(user) == Role.ACCOUNT_MANAGER else qs


def workbench(*, user, today: date) -> dict:
    """The manager's home page: today's and overdue tasks, open alerts, visits due, expiring agreements, KPIs."""
    tasks = list(_own(task_list(user=user), user, "assigned_to")
                 .filter(status__in=OPEN_TASK_STATUSES, due_date__lte=today).order_by("due_date", "-priority")[:50])
    retention = retention_alerts(user=user).filter(closed_at__isnull=True)
    retention = list(_own(retention, user, "account_manager").order_by("-score")[:10])
    alerts = list(EnterpriseAlert.objects.filter(customer_scope_q(user, prefix="account__"),
                                                 status=AlertStatus.OPEN).select_related("account")[:20])
    visits = list(service_day_list(user=user).filter(visit_logged_on__isnull=True, service_date__lte=today,
                                                     status__in=[ServiceDayStatus.SUBMITTED,
                                                                 ServiceDayStatus.COLLECTED])
                  .order_by("visit_deadline")[:20])
    upcoming = list(service_day_list(user=user).filter(service_date__gt=today,
                                                       service_date__lte=today + timedelta(days=14))
                    .exclude(status=ServiceDayStatus.CANCELLED).order_by("service_date")[:10])
    # expiring soon, and lapsed ones neither renewed nor ended on purpose (they must not drop out of sight)
    agreements = list(Agreement.objects.filter(customer_scope_q(user, prefix="account__"),
                                               expires_on__lte=today + timedelta(days=EXPIRY_WINDOW_DAYS),
                                               renewal__isnull=True, ended_on__isnull=True)
                      .select_related("account").order_by("expires_on")[:20])
    return {"today_tasks": [t for t in tasks if t.due_date == today],
            "overdue_tasks": [t for t in tasks if t.due_date < today],
            "retention_alerts": retention, "alerts": alerts,
            "visits_due": [(v, policies.visit_overdue(v.visit_deadline, None, today)) for v in visits],
            "upcoming_service_days": upcoming, "agreements": agreements,
            "kpis": own_kpis(user=user, today=today), "expiry_window": EXPIRY_WINDOW_DAYS}


def own_kpis(*, user, today: date) -> dict:
    """The user's KPIs over their scope: accounts, members, coverage, revenue, work done this month (3 queries)."""
    accounts = EnterpriseAccount.objects.filter(customer_scope_q(user))
    totals = accounts.aggregate(accounts=Count("id"), revenue=Sum("unified_billing_revenue"),
                                headcount=Sum("headcount"))
    members = (Line.objects.filter(customer_scope_q(user, prefix="enterprise__"), enterprise__isnull=False)
               .exclude(status=ServiceStatus.CLOSED).count())
    month_start = today.replace(day=1)
    work = Task.objects.filter(customer_scope_q(user, prefix="account__")).aggregate(
        done=Count("id", filter=Q(status=TaskStatus.DONE, completed_at__date__gte=month_start)),
        overdue=Count("id", filter=Q(status__in=OPEN_TASK_STATUSES, due_date__lt=today)))
    return {"accounts": totals["accounts"], "revenue": totals["revenue"] or Decimal("0"), "members": members,
            "coverage": policies.rate(members, totals["headcount"]),
            "tasks_done": work["done"], "tasks_overdue": work["overdue"]}


# ---------------------------------------------------------------- KPIs and insight reports (002 §6.5)


_month = policies.month_start


def kpis(*, user, today: date) -> dict:
    """002 KPIs over the user's scope: coverage, stability, unified-billing revenue, new business."""
    scope = customer_scope_q(user, prefix="account__")
    m0, m1 = _month(today, 1), _month(today, 2)
    snaps = EnterpriseSnapshot.objects.filter(scope)
    now = snaps.filter(month=m0).aggregate(n=Count("id"), revenue=Sum("revenue"), left=Sum("members_left"),
                                           cancellations=Sum("cancellations"),
                                           arrears=Count("id", filter=Q(arrears_amount__gt=0)))
    before = snaps.filter(month=m1).aggregate(revenue=Sum("revenue"), members=Sum("member_count"),
                                              products=Sum("products_held"))
    swing = _revenue_swing(user, m0, m1)
    since = today - timedelta(days=90)
    new_products = ProductHolding.objects.filter(scope, since__gte=since).count()
    won = Opportunity.objects.filter(scope, stage=OpportunityStage.WON, updated_at__date__gte=since).aggregate(
        n=Count("id"), revenue=Sum("expected_revenue"))
    own = own_kpis(user=user, today=today)
    return {**own, "month": m0, "revenue_swing": swing,
            "arrears_rate": policies.rate(now["arrears"], now["n"]),
            "member_churn": policies.rate(now["left"] or 0, before["members"]),
            "business_churn": policies.rate(now["cancellations"] or 0, before["products"]),
            "revenue_change": policies.rate((now["revenue"] or 0) - (before["revenue"] or 0), before["revenue"]),
            "new_products": new_products, "won": won["n"], "won_revenue": won["revenue"] or Decimal("0")}


def _revenue_swing(user, m0: date, m1: date) -> Decimal | None:
    """Average |revenue change| m1 → m0 of the accounts with both months, in %."""
    scope = customer_scope_q(user)
    ids = list(EnterpriseAccount.objects.filter(scope).values_list("id", flat=True)[:100_000]) if scope else None
    with connection.cursor() as cur:
        cur.execute(revenue_swing_sql(scoped=ids is not None), {"m0": m0, "m1": m1, "ids": ids})
        value = cur.fetchone()[0]
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))


def manager_performance(*, user, today: date) -> list[dict]:
    """Per account manager in scope: accounts, revenue, members, tasks done / overdue, contacts, late visit logs."""
    scope = customer_scope_q(user)
    since = today - timedelta(days=30)
    accounts = {r["account_manager"]: r for r in EnterpriseAccount.objects.filter(scope)
                .values("account_manager").order_by("account_manager")
                .annotate(accounts=Count("id"), revenue=Sum("unified_billing_revenue"))}
    tasks = {r["assigned_to"]: r for r in Task.objects.filter(customer_scope_q(user, prefix="account__"))
             .values("assigned_to").order_by("assigned_to")
             .annotate(done=Count("id", filter=Q(status=TaskStatus.DONE, completed_at__date__gte=since)),
                       overdue=Count("id", filter=Q(status__in=OPEN_TASK_STATUSES, due_date__lt=today)))}
    contacts = dict(Interaction.objects.filter(customer_scope_q(user, prefix="account__"), at__date__gte=since)
                    .values("by").order_by("by").annotate(n=Count("id")).values_list("by", "n"))
    late = dict(ServiceDayOrder.objects.filter(customer_scope_q(user, prefix="account__"))
                .filter(Q(visit_logged_on__gt=F("visit_deadline"))
                        | Q(visit_logged_on__isnull=True, visit_deadline__lt=today))
                .exclude(status=ServiceDayStatus.CANCELLED)
                .values("submitted_by").order_by("submitted_by").annotate(n=Count("id"))
                .values_list("submitted_by", "n"))

    ids = (set(accounts) | set(tasks) | set(contacts)) - {None}
    names = {pk: first or username for pk, first, username in  # staff by display name, the login name as fallback
             get_user_model().objects.filter(pk__in=ids).values_list("pk", "first_name", "username")}
    rows = []
    for uid in sorted(ids, key=lambda i: names.get(i, "")):
        a, t = accounts.get(uid, {}), tasks.get(uid, {})
        rows.append({"manager": names.get(uid, "—"), "accounts": a.get("accounts", 0),
                     "revenue": a.get("revenue") or Decimal("0"), "tasks_done": t.get("done", 0),
                     "tasks_overdue": t.get("overdue", 0), "contacts": contacts.get(uid, 0),
                     "late_visit_logs": late.get(uid, 0)})
    return rows


def insight_reports(*, user, today: date) -> dict:
    """002 §6.5 analyses over the user's scope: revenue, product mix, agreement expiry, quality, arrears."""
    scope = customer_scope_q(user, prefix="account__")
    accounts = EnterpriseAccount.objects.filter(customer_scope_q(user))
    first = _month(today, 12)
    by_month = list(EnterpriseSnapshot.objects.filter(scope, month__gte=first).values("month").order_by("month")
                    .annotate(revenue=Sum("revenue"), arrears=Sum("arrears_amount"),
                              in_arrears=Count("id", filter=Q(arrears_amount__gt=0)), members=Sum("member_count")))
    for row in by_month:
        row["label"] = f"{row['month']:%Y-%m}"
    by_industry = list(accounts.values("industry").annotate(revenue=Sum("unified_billing_revenue"),
                                                            accounts=Count("id")).order_by("-revenue")[:15])
    products = list(ProductHolding.objects.filter(scope).values("product").order_by("product")
                    .annotate(accounts=Count("id"), revenue=Sum("monthly_revenue")))

    labels = dict(Product.choices)
    for row in products:
        row["label"] = str(labels.get(row["product"], row["product"]))
    expiry = list(Agreement.objects.filter(scope, expires_on__gte=today, expires_on__lt=_month(today, -12))
                  .annotate(m=TruncMonth("expires_on")).values("m").order_by("m")
                  .annotate(agreements=Count("id"), value=Sum("monthly_value")))
    for row in expiry:
        row["label"] = f"{row['m']:%Y-%m}"
    quality = list(accounts.values("computed_class", "legacy_class").order_by("computed_class", "legacy_class")
                   .annotate(n=Count("id"), revenue=Sum("unified_billing_revenue")))
    by_class: dict[str, dict] = {}
    for row in quality:
        c = by_class.setdefault(row["computed_class"] or "—", {"label": row["computed_class"] or "—", "n": 0,
                                                               "revenue": Decimal("0")})
        c["n"] += row["n"]
        c["revenue"] += row["revenue"] or 0
    return {"by_month": by_month, "by_industry": by_industry, "products": products, "expiry": expiry,
            "quality": quality, "by_class": sorted(by_class.values(), key=lambda r: r["label"])}


# ---------------------------------------------------------------- settings and service-day reports


def segment_rules() -> list[SegmentRule]:
    return list(SegmentRule.objects.all())


def service_day_reports(*, user) -> QuerySet[ServiceDayReport]:
    qs = ServiceDayReport.objects.select_related("region", "submitted_by")
    profile = getattr(user, "staff_profile", None)
    if user_role(user) in (Role.REGIONAL_MANAGER, Role.TEAM_LEAD, Role.ACCOUNT_MANAGER) and profile:
        region_id = profile.region_id or (profile.team.region_id if profile.team_id else None)
        qs = qs.filter(region_id=region_id)
    return qs


def alert_list(*, user) -> QuerySet[EnterpriseAlert]:
    """Alerts on the accounts in the user's scope."""
    return EnterpriseAlert.objects.filter(customer_scope_q(user, prefix="account__"))


def account_record_list(model, *, user):
    """A piece of an account's data (key people, agreements, products) on the accounts in the user's scope."""
    return model.objects.filter(customer_scope_q(user, prefix="account__")).select_related("account")
