"""Honest churn features: every value as known on the scan date, from inputs dated before it.

One row per customer with a line open on the scan date (activated before it, not closed before it). Nothing
set after the scan date is read: no current status, stage or star, no bill's *current* paid amount (the balance
owed is bills due before the scan date minus payments made before it), no device, usage month or line closure
after it. Values are continuous; a month that was never reported is unknown (NULL → NaN), not 0.

`SOURCES` (retention.sql.features) are SQL pieces over the chunk [lo, hi) and the scan date; a source whose
tables are not installed (an intake not merged yet) is left out, and its features with it. The outcome
(`LABEL_SQL`) is read separately, only for training and evaluation: closures in [scan date, scan date + horizon).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone, translation

from customers.policies import months_ago
from retention.feature_source import Source
from retention.sql import CUSTOMER_ID_RANGE, JIT_OFF, intake_features
from retention.sql.features import AFTER_SCAN, BASE, LABEL_SQL, base_sources, features_sql

CHUNK = 50_000


def sources() -> list[Source]:
    """The sources whose tables are installed (the intake ones join when their app is merged)."""
    found = [*base_sources(), *intake_features.sources()]
    return [s for s in found if all(_installed(m) for m in s.needs)]


def _installed(label: str) -> bool:
    try:
        apps.get_model(label)
        return True
    except LookupError:
        return False


def feature_names() -> list[str]:
    return [*BASE, *(name for s in sources() for name in s.features)]


def labels_zh() -> dict[str, str]:
    """Feature labels in Chinese (the code lists' labels translated, whatever the request's language)."""
    with translation.override("zh-hans"):
        return {**{k: str(v[1]) for k, v in BASE.items()},
                **{k: str(v[1]) for s in sources() for k, v in s.features.items()}}


def params(scan: date, lo: int, hi: int) -> dict:
    month0 = scan.replace(day=1)
    return {"lo": lo, "hi": hi, "scan": scan, "month0": month0,
            "scan_at": timezone.make_aware(datetime.combine(scan, time.min)),
            **{f"m{k}": months_ago(month0, k) for k in range(1, 13)}}


class _Rollback(Exception):
    pass


def after_scan_probe(scan: date, ids) -> list[str]:
    """The features that change when every fact dated on or after `scan` is removed for `ids` (should be none:
    such a feature reads the future, the outcome included). Nothing is kept: the removal is rolled back."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return []
    before = frame(scan, ids=ids)
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                p = {**params(scan, ids[0], ids[-1] + 1), "ids": ids}
                for sql in [*AFTER_SCAN, *intake_features.AFTER_SCAN]:
                    cur.execute(sql, p)
            after = frame(scan, ids=ids)
            raise _Rollback
    except _Rollback:
        pass
    if list(after.ids) != list(before.ids):
        return ["population"]
    same = (before.X == after.X) | (np.isnan(before.X) & np.isnan(after.X))
    return [name for j, name in enumerate(before.names) if not same[:, j].all()]


@dataclass
class Frame:
    scan: date
    ids: np.ndarray
    X: np.ndarray  # NaN = unknown
    names: list
    voluntary: np.ndarray | None = None  # outcomes, when asked for
    involuntary: np.ndarray | None = None

    def __len__(self):
        return len(self.ids)


def _id_range():
    with connection.cursor() as cur:
        cur.execute(CUSTOMER_ID_RANGE)
        return cur.fetchone()


def frame(scan: date, *, ids=None, horizon_days: int | None = None) -> Frame:
    """Features of the customers open on `scan` (or of `ids`), read-only; with `horizon_days` also their outcome."""
    names = feature_names()
    rows, outcome = [], {}
    wanted = sorted({int(i) for i in ids}) if ids is not None else None
    lo, hi = (wanted[0], wanted[-1] + 1) if wanted else _id_range()
    if lo is None or (wanted is not None and not wanted):
        return Frame(scan, np.empty(0, int), np.empty((0, len(names))), names)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(JIT_OFF)
        for start in range(lo, hi, CHUNK):
            p = params(scan, start, min(start + CHUNK, hi))
            if wanted is not None:
                p["ids"] = wanted
            cur.execute(features_sql(sources(), ids=wanted is not None), p)
            chunk = cur.fetchall()
            rows += chunk
            if horizon_days is not None and chunk:
                p.update(ids=[r[0] for r in chunk], until=scan + timedelta(days=horizon_days))
                cur.execute(LABEL_SQL, p)
                outcome.update({cid: (bool(ch), bool(inv)) for cid, ch, inv in cur.fetchall()})
    ids_arr = np.array([r[0] for r in rows], dtype=int)
    X = np.array([r[1:] for r in rows], dtype=float).reshape(len(rows), len(names))
    result = Frame(scan, ids_arr, X, names)
    if horizon_days is not None:
        churned = np.array([outcome.get(int(i), (False, False))[0] for i in ids_arr], dtype=bool)
        result.involuntary = np.array([outcome.get(int(i), (False, False))[1] for i in ids_arr], dtype=bool)
        result.voluntary = churned & ~result.involuntary
    return result
