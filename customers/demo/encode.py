"""Encode column arrays as PostgreSQL COPY payloads: binary for wide numeric tables, CSV otherwise.

Column values, by database type:
  integers         numpy integer arrays
  numeric(p, s)    int64 arrays holding value * 10**s (e.g. cents)
  date             datetime64[D]
  timestamptz      datetime64[s] / [us] in UTC
  boolean          bool arrays
  text             numpy 'S' arrays (binary and CSV) or arrow string arrays (CSV only)
Any value may be a scalar (broadcast). For CSV, `Nullable(values, null_mask)` gives NULLs.
Columns left out get the model field's default, or NULL when the field is nullable.
"""

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
from django.db import connection

from customers.demo.dates import PG_EPOCH

BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
BINARY_TRAILER = b"\xff\xff"
_NUMERIC = re.compile(r"numeric\((\d+),\s*(\d+)\)")


@dataclass
class Nullable:
    values: object
    null: np.ndarray


@functools.cache
def column_types(model) -> dict[str, str]:
    return {f.column: f.db_type(connection) for f in model._meta.concrete_fields}


def _kind(db_type: str) -> str:
    if db_type in ("bigint", "integer", "smallint", "date", "boolean"):
        return db_type
    if db_type.startswith("timestamp"):
        return "timestamptz"
    if db_type.startswith("numeric"):
        return "numeric"
    return "text"


def _default(model, column: str, n: int):
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    if field.has_default():
        value = field.get_default()
        if isinstance(value, Decimal):
            return int(value.scaleb(field.decimal_places))
        if isinstance(value, datetime):
            return np.datetime64(value.replace(tzinfo=None) - (value.utcoffset() or timedelta(0)), "us")
        if isinstance(value, date):
            return np.datetime64(value, "D")
        return value
    if field.null:
        return None
    raise ValueError(f"generator gives no value for non-null column {model._meta.db_table}.{column}")


def _columns(model, cols: dict, n: int) -> list[tuple[str, str, object]]:
    out = []
    for column, db_type in column_types(model).items():
        value = cols[column] if column in cols else _default(model, column, n)
        out.append((column, db_type, value))
    unknown = set(cols) - {c for c, _, _ in out}
    if unknown:
        raise ValueError(f"{model._meta.db_table} has no columns {sorted(unknown)}")
    return out


def _full(value, n, dtype=None):
    arr = np.asarray(value, dtype=dtype)
    return np.broadcast_to(arr, (n,)) if arr.ndim == 0 else arr


# ---------------------------------------------------------------- CSV

def _decimal_array(scaled: np.ndarray, precision: int, scale: int) -> pa.Array:
    v = np.asarray(scaled, dtype=np.int64)
    words = np.empty((len(v), 2), dtype=np.int64)
    words[:, 0] = v
    words[:, 1] = v >> 63
    return pa.Array.from_buffers(pa.decimal128(precision, scale), len(v), [None, pa.py_buffer(words)])


def _arrow(db_type: str, value, n: int) -> pa.Array:
    if isinstance(value, Nullable):
        arr = _arrow(db_type, value.values, n)
        return pc.if_else(pa.array(_full(value.null, n, bool)), pa.scalar(None, arr.type), arr)
    if value is None:
        return pa.nulls(n, pa.string())
    if isinstance(value, (pa.Array, pa.ChunkedArray)):
        return value
    kind = _kind(db_type)
    if kind in ("bigint", "integer", "smallint"):
        return pa.array(_full(value, n, np.int64))
    if kind == "numeric":
        p, s = map(int, _NUMERIC.match(db_type).groups())
        return _decimal_array(_full(value, n, np.int64), p, s)
    if kind == "date":
        return pa.array(_full(value, n, "datetime64[D]"))
    if kind == "timestamptz":
        return pa.array(_full(value, n, "datetime64[us]")).cast(pa.timestamp("us", tz="UTC"))
    if kind == "boolean":
        return pa.array(_full(value, n, bool))
    if isinstance(value, str):
        return pa.array(np.full(n, value, dtype=object), pa.string())
    return pa.array(np.asarray(value), pa.binary()).cast(pa.string())


def encode_csv(model, cols: dict, n: int) -> tuple[list[str], bytes]:
    spec = _columns(model, cols, n)
    table = pa.Table.from_arrays([_arrow(t, v, n) for _, t, v in spec], names=[c for c, _, _ in spec])
    sink = pa.BufferOutputStream()
    pcsv.write_csv(table, sink, pcsv.WriteOptions(include_header=False, quoting_style="all_valid"))
    return [c for c, _, _ in spec], sink.getvalue().to_pybytes()


# ---------------------------------------------------------------- binary

def _numeric_groups(db_type: str) -> tuple[int, int, int]:
    p, s = map(int, _NUMERIC.match(db_type).groups())
    return -(-(p - s) // 4), -(-s // 4), s


def _binary_fields(name: str, db_type: str, text_len: int) -> list[tuple]:
    kind = _kind(db_type)
    if kind == "numeric":
        ig, fg, _ = _numeric_groups(db_type)
        return [(f"{name}.n", ">i2", (4,)), (f"{name}.d", ">i2", (ig + fg,))]
    fmt = {"bigint": ">i8", "integer": ">i4", "smallint": ">i2", "date": ">i4", "timestamptz": ">i8",
           "boolean": "u1"}.get(kind, f"S{text_len}")
    return [(name, fmt)]


def _set_binary(rec: np.ndarray, name: str, db_type: str, value) -> None:
    kind = _kind(db_type)
    if kind == "numeric":
        ig, fg, s = _numeric_groups(db_type)
        v = np.asarray(value, dtype=np.int64)
        mag = np.abs(v) * 10 ** (4 * fg - s)
        header = rec[f"{name}.n"]
        header[:, 0] = ig + fg
        header[:, 1] = ig - 1
        header[:, 2] = np.where(v < 0, 0x4000, 0)
        header[:, 3] = s
        d = rec[f"{name}.d"]
        for pos in range(ig + fg - 1, -1, -1):
            d[:, pos] = mag % 10000
            mag //= 10000
    elif kind == "date":
        rec[name] = (np.asarray(value, dtype="datetime64[D]") - PG_EPOCH).astype(np.int64)
    elif kind == "timestamptz":
        rec[name] = (np.asarray(value, dtype="datetime64[us]") - PG_EPOCH.astype("datetime64[us]")).astype(np.int64)
    else:
        rec[name] = value


def _binary_group(spec, n: int, rows: np.ndarray | None, text_lens: dict[str, int]) -> bytes:
    fields = [("__count", ">i2")]
    sizes = {}
    for name, db_type, _ in spec:
        sub = _binary_fields(name, db_type, text_lens.get(name, 0))
        sizes[name] = sum(np.dtype((f[1], f[2]) if len(f) == 3 else f[1]).itemsize for f in sub)
        fields.append((f"{name}.len", ">i4"))
        fields.extend(sub)
    rec = np.zeros(n if rows is None else len(rows), dtype=np.dtype(fields))
    rec["__count"] = len(spec)
    for name, db_type, value in spec:
        rec[f"{name}.len"] = sizes[name]
        arr = np.asarray(value)
        _set_binary(rec, name, db_type, arr if arr.ndim == 0 or rows is None else arr[rows])
    return rec.tobytes()


def encode_binary(model, cols: dict, n: int) -> tuple[list[str], bytes]:
    """Binary COPY payload. Text columns may vary in length: rows are grouped by their text lengths
    (the stream is then not in input order, which does not matter with explicit ids)."""
    spec = _columns(model, cols, n)
    for name, _, value in spec:
        if value is None or isinstance(value, Nullable):
            raise ValueError(f"binary COPY does not encode NULLs ({name})")
    text_cols = [(name, np.asarray(v)) for name, t, v in spec if _kind(t) == "text"]
    lengths = [np.char.str_len(v) if v.ndim else np.full(n, len(v.item())) for _, v in text_cols]
    parts = [BINARY_HEADER]
    if not text_cols:
        parts.append(_binary_group(spec, n, None, {}))
    else:
        combos, inverse = np.unique(np.stack(lengths, axis=1), axis=0, return_inverse=True)
        order = np.argsort(inverse.ravel(), kind="stable")
        bounds = np.searchsorted(inverse.ravel()[order], np.arange(len(combos) + 1))
        for g, combo in enumerate(combos):
            rows = order[bounds[g]:bounds[g + 1]]
            lens = {name: int(ln) for (name, _), ln in zip(text_cols, combo, strict=True)}
            parts.append(_binary_group(spec, n, rows, lens))
    parts.append(BINARY_TRAILER)
    return [c for c, _, _ in spec], b"".join(parts)
