"""The outcome of a set-based bulk intake, shared by every app's bulk services."""

import gc
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import connection


@dataclass
class BulkOutcome:
    """`results`: position in the batch -> the item's result; `errors`: position -> {field: [message]}.
    Not partial and any error: `results` is empty and nothing was written."""

    results: dict[int, object] = field(default_factory=dict)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class CustomerRef:
    pk: int
    join_date: date | None


@dataclass(frozen=True)
class LineRef:
    """What the bulk services read of a line (its id, number, customer and status): 10,000 of them cost a
    fraction of 10,000 Line + Customer model instances."""

    pk: int
    msisdn: str
    customer_id: int
    status: str
    customer: CustomerRef

    @property
    def id(self) -> int:
        return self.pk


def insert_unnest(model, columns: dict[str, list], *, returning: str = "", conflict: str = "") -> list[tuple]:
    """One INSERT … SELECT FROM unnest(...) of equal-length column lists, cast to the model's column types;
    `returning` columns come back as rows (match them by a natural key, not by position)."""
    types = {f.column: f.db_type(connection) for f in model._meta.concrete_fields}
    names = list(columns)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(n) for n in names)}) "
           f"SELECT * FROM unnest({', '.join(f'%s::{types[n]}[]' for n in names)}) {conflict}"
           + (f" RETURNING {returning}" if returning else ""))
    with connection.cursor() as cur:
        cur.execute(sql, [columns[n] for n in names])
        return cur.fetchall() if returning else []


_paused = 0  # bulk posts under way in this process
_resume = False  # whether the collector was on when the first of them started
_paused_lock = threading.Lock()


@contextmanager
def collector_paused():
    """No cyclic garbage collection while a bulk post runs. A 10,000-item post allocates a few hundred thousand
    short-lived objects (parsed items, validated values, rows, results) that reference counting frees; meanwhile
    the collector would run full passes over every object of the process (Django's included) several times per
    post — measured at a tenth to a third of a post's Python time. Collection resumes when the last concurrent bulk
    post of the process ends; cycles made meanwhile are collected then."""
    global _paused, _resume
    with _paused_lock:
        _paused += 1
        if _paused == 1:
            _resume = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()


class CollectorPausedView:
    """A bulk view: its whole request (parsing, validation, writes, the answer) under collector_paused()."""

    def dispatch(self, request, *args, **kwargs):
        with collector_paused():
            return super().dispatch(request, *args, **kwargs)
