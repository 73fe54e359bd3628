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
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.models import registered_models
from simple_history.utils import get_history_manager_for_model

CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
CHANGE_LABELS = {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}


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
    title: str | None = None  # the record type's name on the page (default: the model's verbose name)

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
# Codes an app writes at the start of a change reason ("approve: 风险可控") -> their label (reason_labels_register)
REASON_LABELS: dict[str, str] = {}


def reason_labels_register(labels: dict) -> None:
    REASON_LABELS.update(labels)


def reason_label(reason: str) -> str:
    """A change reason with its leading code ("approve: …", "created") as its label."""
    code, sep, rest = (reason or "").partition(":")
    label = REASON_LABELS.get(code.strip())
    return f"{label}{sep}{rest}" if label else (reason or "")


def decision_log_register(log: DecisionLog) -> None:
    DECISION_LOGS[log.label] = log


def record_type_label(label: str) -> str:
    """The record type's name as staff read it: a decision log's title, else the model's verbose name."""
    log = DECISION_LOGS.get(label)
    if log and log.title:
        return str(log.title)
    try:
        return capfirst(apps.get_model(log.model if log else label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


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
    users = {u.pk: u for u in get_user_model().objects.filter(
        pk__in={r["history_user_id"] for r in rows} - {None}).select_related("staff_profile")}
    labels = {label: record_type_label(label) for label in {r["model"] for r in rows}}
    for row in rows:
        user = users.get(row["history_user_id"])
        row["user"] = user.username if user else ""
        row["user_name"] = display_name(user) if user else ""
        row["model_label"] = labels[row["model"]]
        row["change_label"] = CHANGE_LABELS.get(row["change"], row["change"])
        row["reason_label"] = reason_label(row.get("history_change_reason") or "")
    return rows


def display_name(user) -> str:
    """Staff are named by their display name (their profile's, else their full name), the username last."""
    profile = getattr(user, "staff_profile", None)
    return (profile.display_name if profile and profile.display_name else "") or user.get_full_name() or user.username
