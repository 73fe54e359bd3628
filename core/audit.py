"""The audit trail: every change recorded by django-simple-history, across all audited models, in one list.

Each audited model keeps its own history table; this reads them as one UNION (newest first), so the
admins' audit page filters one stream by model, user, object and time. Decisions kept in their own
append-only logs rather than a history table (late-fee waivers in the ledger, retention alert steps,
extended credit service requests) register a `DecisionLog` and join the same stream.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import CharField, F, QuerySet, Value
from simple_history.models import registered_models
from simple_history.utils import get_history_manager_for_model

CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def audited_models() -> dict[str, type]:
    """{"app_label.model": model} for every model with a history, by its label."""
    return {m._meta.label_lower: m for m in registered_models.values() if not m._meta.auto_created}


@dataclass(frozen=True)
class DecisionLog:
    """An append-only log of decisions shown on the audit page as record type `label`."""

    label: str
    model: str  # "app_label.Model"
    at: str  # the decision's time field
    user: str  # the deciding user's field
    change: Callable  # row -> what was decided, e.g. "open → contacted"
    reason: Callable  # row -> why
    filter: dict | None = None  # the rows of `model` that are decisions
    object_field: str = "pk"  # what the record id names (e.g. the alert of an alert step)

    def rows(self, f: "AuditFilter", limit: int) -> list[dict]:
        qs = apps.get_model(self.model).objects.filter(**(self.filter or {}))
        if f.user_id:
            qs = qs.filter(**{f"{self.user}_id": f.user_id})
        if f.object_id:
            qs = qs.filter(**{self.object_field: f.object_id if f.object_id.isdigit() else None})
        if f.since:
            qs = qs.filter(**{f"{self.at}__gte": f.since})
        if f.until:
            qs = qs.filter(**{f"{self.at}__lt": f.until})
        return [{"model": self.label, "object_id": getattr(row, self.object_field), "history_id": row.pk,
                 "history_date": getattr(row, self.at), "history_type": "+",
                 "history_user_id": getattr(row, f"{self.user}_id"), "change": self.change(row),
                 "history_change_reason": self.reason(row)}
                for row in qs.order_by(f"-{self.at}")[:limit]]


DECISION_LOGS: dict[str, DecisionLog] = {}


def register_decision_log(log: DecisionLog) -> None:
    DECISION_LOGS[log.label] = log


def record_types() -> list[str]:
    """Every record type the audit page can filter by: audited models and decision logs."""
    return sorted({*audited_models(), *DECISION_LOGS})


@dataclass(frozen=True)
class AuditFilter:
    model: str = ""
    user_id: int | None = None
    object_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _history_rows(label: str, model, f: AuditFilter) -> QuerySet:
    qs = get_history_manager_for_model(model).all()
    if f.user_id:
        qs = qs.filter(history_user_id=f.user_id)
    if f.object_id:
        qs = qs.filter(**{model._meta.pk.attname: f.object_id})
    if f.since:
        qs = qs.filter(history_date__gte=f.since)
    if f.until:
        qs = qs.filter(history_date__lt=f.until)
    return qs.annotate(model=Value(label, output_field=CharField()),
                       object_id=F(model._meta.pk.attname)).values(
        "model", "object_id", "history_id", "history_date", "history_type", "history_user_id",
        "history_change_reason").order_by()


def change_list(f: AuditFilter, *, limit: int = 200) -> list[dict]:
    """The newest `limit` changes matching `f`, with a readable change type and the user's name."""
    models, logs = audited_models(), DECISION_LOGS
    if f.model:
        models = {f.model: models[f.model]} if f.model in models else {}
        logs = {f.model: logs[f.model]} if f.model in logs else {}
    parts = [_history_rows(label, model, f) for label, model in sorted(models.items())]
    rows = []
    if parts:
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        rows = list(union.order_by("-history_date")[:limit])
        for row in rows:
            row["change"] = CHANGE_TYPES.get(row["history_type"], row["history_type"])
    for log in logs.values():
        rows += log.rows(f, limit)
    rows = sorted(rows, key=lambda r: r["history_date"], reverse=True)[:limit]
    users = dict(get_user_model().objects.filter(pk__in={r["history_user_id"] for r in rows} - {None})
                 .values_list("pk", "username"))
    for row in rows:
        row["user"] = users.get(row["history_user_id"], "")
    return rows
