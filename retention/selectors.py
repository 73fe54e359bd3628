"""Reads for retention: scan settings, scoped alert lists and the effectiveness report."""

import operator
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from functools import reduce

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core import stability
from core.scope import customer_scope_q
from customers.policies import months_ago
from retention import policies
from retention.choices import AlertStatus, Offer
from retention.models import LearnedModel, RetentionAlert, ScanSettings, ShadowComparison, SignalConfig


@dataclass(frozen=True)
class ScanConfig:
    signals: dict[str, policies.SignalDefinition]
    alert_threshold: int
    cooldown_days: int
    retained_check_days: int = policies.RETAINED_CHECK_DAYS


def scan_config() -> ScanConfig:
    overrides = {row["code"]: row for row in SignalConfig.objects.values("code", "enabled", "threshold", "weight")}
    settings = ScanSettings.objects.first() or ScanSettings()
    return ScanConfig(signals=policies.configured(overrides), alert_threshold=settings.alert_threshold,
                      cooldown_days=settings.cooldown_days, retained_check_days=settings.retained_check_days)


def alert_list(*, user) -> QuerySet[RetentionAlert]:
    """Alerts of the customers in the user's scope (a manager: their book; a lead: the team's)."""
    return (RetentionAlert.objects.filter(customer_scope_q(user, prefix="customer__"))
            .select_related("customer", "account_manager"))


def alert_get(*, user, pk: int) -> RetentionAlert:
    """404 for an alert outside the user's scope, the same as for one that does not exist."""
    return get_object_or_404(alert_list(user=user).prefetch_related("events__by"), pk=pk)


def running_offers() -> QuerySet[RetentionAlert]:
    """Alerts whose retention offer is running: offered and not yet closed, or accepted (retained, not reverted)
    and still paying out within the offer's duration (policies.OFFER_MONTHS)."""
    today = timezone.localdate()
    paying = [Q(offer=code, closed_at__gte=timezone.make_aware(datetime.combine(months_ago(today, months), time.min)))
              for code, months in policies.OFFER_MONTHS.items()]
    retained = Q(status=AlertStatus.RETAINED) & ~Q(verification="reverted") & reduce(operator.or_, paying)
    return RetentionAlert.objects.filter(Q(status=AlertStatus.OFFER_MADE, closed_at__isnull=True) | retained)


REPORT_DIMENSIONS = {"offer": "offer", "manager": "account_manager__username", "region": "customer__region__name",
                     "month": "month"}


def effectiveness(*, user, by: str = "offer") -> list[dict]:
    """Closed alerts grouped by offer, manager, region or month: retention rate, cost per retained customer
    and the managers' incentive points."""
    key = REPORT_DIMENSIONS[by]
    closed = alert_list(user=user).filter(status__in=policies.CLOSED_STATUSES).annotate(month=TruncMonth("closed_at"))
    rows = (closed.values(key).order_by(key)
            # retained counts once verified (confirmed N days later); a claim still pending is shown apart and
            # left out of the rate until it is decided
            .annotate(closed=Count("id"),
                      retained=Count("id", filter=Q(status=AlertStatus.RETAINED, verification="confirmed")),
                      pending=Count("id", filter=Q(status=AlertStatus.RETAINED, verification="pending")),
                      cost=Sum("offer_cost"),
                      # credited only when the retention was verified (retention.verify)
                      points=Sum(F("points") + F("value_points"), filter=Q(verification="confirmed"))))
    offers = dict(Offer.choices)
    result = []
    for row in rows:
        label = row[key]
        if by == "month":
            label = f"{label:%Y-%m}" if label else ""
        elif by == "offer":
            label = offers.get(label, "—") if label else "—"
        cost = row["cost"] or Decimal("0")
        decided = row["closed"] - row["pending"]
        result.append({"label": label or "—", "closed": row["closed"], "retained": row["retained"],
                       "pending": row["pending"],
                       "retention_rate": round(100 * row["retained"] / decided, 1) if decided else 0,
                       "cost": cost, "points": row["points"] or 0,
                       "cost_per_retained": round(cost / row["retained"], 2) if row["retained"] else None})
    return result


def champion_model():
    """The learned model the scan alerts by (its threshold and how it was chosen are shown with the queue)."""
    return LearnedModel.objects.filter(active=True).select_related("published_by").first()


def learned_model_list():
    return LearnedModel.objects.defer("blob")


def model_registry() -> dict:
    versions = list(LearnedModel.objects.select_related("published_by").defer("blob")[:20])
    champion = next((v for v in versions if v.active), None)
    watched = champion or next((v for v in versions if v.challenger), None)
    months: dict = {}
    variables: list = []
    if watched:
        for r in watched.stability.order_by("month", "variable"):
            months.setdefault(r.month, {"month": f"{r.month:%Y-%m}"})[r.variable] = r.psi
            if r.variable not in variables:
                variables.append(r.variable)
    variables.sort(key=lambda v: (v != "score", v))
    rows = [months[m] for m in sorted(months)]
    for row in rows:
        row["cells"] = [row.get(v) for v in variables]
        row["level"] = stability.level(max((c or 0 for c in row["cells"]), default=0))
    return {"versions": versions, "champion": champion, "watched": watched,
            "shadow": ShadowComparison.objects.select_related("champion", "challenger")[:30],
            "stability": {"variables": variables, "months": rows, "series": [[v, v] for v in variables],
                          "warning": stability.WARNING, "alert": stability.ALERT}}
