"""The outcome of a set-based bulk intake, shared by every app's bulk services."""

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
