"""The outcome of a set-based bulk intake, shared by every app's bulk services."""

import gc
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import NoneType
from typing import NamedTuple

from django.db import connection, transaction

from customers.sql import insert_unnest_sql


@dataclass
class BulkOutcome:
    """`results`: position in the batch -> the item's result; `errors`: position -> {field: [message]}.
    Not partial and any error: `results` is empty and nothing was written."""

    results: dict[int, object] = field(default_factory=dict)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def refused_whole(self, *, partial: bool) -> bool:
        """All-or-nothing and an item refused: nothing is written (the transaction rolls back), no results."""
        if self.errors and not partial:
            self.results = {}
            transaction.set_rollback(True)
            return True
        return False


class CustomerRef(NamedTuple):
    pk: int
    join_date: date | None


class LineRef(NamedTuple):
    """What the bulk services read of a line (its id, number, customer and status): 10,000 of them cost a
    fraction of 10,000 Line + Customer model instances. (Immutable values made 10,000 at a time are named tuples:
    a frozen dataclass sets each field through object.__setattr__, three times a tuple's cost.)"""

    pk: int
    msisdn: str
    customer_id: int
    status: str
    customer: CustomerRef

    @property
    def id(self) -> int:
        return self.pk


def _element(value) -> str:
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    text = value.isoformat() if isinstance(value, date) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_BOOL = {True: "t", False: "f", None: "NULL"}


def array_literal(values: list) -> str:
    """A list as PostgreSQL array text ('{1,2}', '{"a b",NULL}'), for a parameter the statement casts (`%s::bigint[]`).
    psycopg's own list dumper checks and quotes element by element in Python (a regex per element): for the dozen
    10,000-element arrays of a bulk post that was a tenth of its time; this is one join per array (texts without a
    quote or backslash, the usual ones, joined whole; a day repeated through the batch, a bill's month, written
    once)."""
    types = set(map(type, values))
    nulls = NoneType in types
    kinds = types - {NoneType}
    if len(kinds) == 1:
        kind = next(iter(kinds))
        if kind is int or kind is Decimal:
            parts = map(str, values) if not nulls else ["NULL" if v is None else str(v) for v in values]
        elif kind is str:
            if not nulls:
                whole = "".join(values)
                if '"' not in whole and "\\" not in whole:
                    return '{"' + '","'.join(values) + '"}'
            parts = ["NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                     for v in values]
        elif kind is bool:
            parts = map(_BOOL.__getitem__, values)
        elif kind is date and len(distinct := set(values)) * 4 <= len(values):  # few days: each written once
            texts = {v: "NULL" if v is None else '"' + v.isoformat() + '"' for v in distinct}
            parts = map(texts.__getitem__, values)
        elif kind is date or kind is datetime:
            parts = ["NULL" if v is None else '"' + v.isoformat() + '"' for v in values]
        else:
            parts = map(_element, values)
    else:
        parts = map(_element, values)
    return "{" + ",".join(parts) + "}"


def pg_arrays(params):
    """The statement's parameters with every list as array text (every list parameter of the bulk statements is
    cast to its array type in the SQL: `%s::numeric[]`, `%(ids)s::bigint[]`)."""
    if isinstance(params, dict):
        return {k: array_literal(v) if type(v) is list else v for k, v in params.items()}
    return [array_literal(v) if type(v) is list else v for v in params]


class _ArrayCursor:
    def __init__(self, cursor):
        self._cursor = cursor

    def execute(self, sql, params=None):
        return self._cursor.execute(sql, pg_arrays(params) if params else params)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


@contextmanager
def array_cursor():
    """connection.cursor() whose execute() sends list parameters as array text (pg_arrays)."""
    with connection.cursor() as cursor:
        yield _ArrayCursor(cursor)


def insert_unnest(model, columns: dict[str, list], *, returning: str = "", conflict: str = "") -> list[tuple]:
    """One INSERT … SELECT FROM unnest(...) of equal-length column lists, cast to the model's column types;
    `returning` columns come back as rows (match them by a natural key, not by position)."""
    names = list(columns)
    with connection.cursor() as cur:
        cur.execute(insert_unnest_sql(model, names, returning=returning, conflict=conflict),
                    pg_arrays([columns[n] for n in names]))
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
