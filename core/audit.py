"""The audit trail: every change recorded by django-simple-history, across all audited models, in one list.

Each audited model keeps its own history table; this reads them as one UNION (newest first), so the
admins' audit page filters one stream by model, user, object and time.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, F, QuerySet, Value
from simple_history.models import registered_models
from simple_history.utils import get_history_manager_for_model

CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def audited_models() -> dict[str, type]:
    """{"app_label.model": model} for every model with a history, by its label."""
    return {m._meta.label_lower: m for m in registered_models.values() if not m._meta.auto_created}


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
    from django.contrib.auth import get_user_model

    models = audited_models()
    chosen = {f.model: models[f.model]} if f.model in models else models
    parts = [_history_rows(label, model, f) for label, model in sorted(chosen.items())]
    if not parts:
        return []
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    rows = list(union.order_by("-history_date")[:limit])
    users = dict(get_user_model().objects.filter(pk__in={r["history_user_id"] for r in rows} - {None})
                 .values_list("pk", "username"))
    for row in rows:
        row["change"] = CHANGE_TYPES.get(row["history_type"], row["history_type"])
        row["user"] = users.get(row["history_user_id"], "")
    return rows
