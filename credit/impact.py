"""Before a draft is published: what would it change? And while a model runs: has its population moved?

Both read the province set-based, one SQL statement per id-range chunk (as the rating batches), on the same
compiled model SQL the base rating uses (credit.sql: `compile_base_model` over `features_cte`):
- `impact_preview`: customers moving from each star to each other star if the model rated everyone open today,
  and the change in granted credit (a new star gets its initial limit, as in the base run; an unchanged star
  keeps its limit). Customers under the minimum tenure stay unrated, as in the base run.
- `stability_counts`: customers per bin of the score (the star) and of each factor (its bins), for the PSI.
"""

import os
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from core import stability
from credit import policies, scoring
from credit.models import ImpactPreview, ModelStability, ScoringModel
from credit.sql import impact as impact_sql
from credit.sql import scoring as scoring_sql

CHUNK = 50_000
UNRATED = -1  # the matrix's key for "no star"
SCORE = "score"  # the stability variable of the model's output (its star)

WORKERS = min(4, os.cpu_count() or 1)  # chunks read in parallel, one database connection each


def _id_range() -> tuple[int, int] | None:
    with connection.cursor() as cur:
        cur.execute(scoring_sql.CUSTOMER_ID_RANGE_SQL)
        lo, hi = cur.fetchone()
    return None if lo is None else (lo, hi)


def _chunks():
    bounds = _id_range()
    if bounds:
        for lo in range(bounds[0], bounds[1], CHUNK):
            yield lo, min(lo + CHUNK, bounds[1])


def _read_chunks(statement, chunks: list, settings: tuple = ()) -> list:
    rows = []
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(scoring_sql.JIT_OFF_SQL)  # a large generated statement: compiling costs more than it saves
        # Each feature source is grouped by customer (usage also by month) over an index in that order: streaming
        # group aggregates read it in order, where hash aggregates rebuilt ~1M-row tables a chunk (-30 % a chunk).
        cur.execute(impact_sql.HASHAGG_OFF_SQL)
        for setting in settings:
            cur.execute(impact_sql.set_local_sql(setting))
        for lo, hi in chunks:
            cur.execute(*statement(lo, hi))
            rows += cur.fetchall()
    return rows


def _in_thread(statement, chunks, settings) -> list:
    try:
        return _read_chunks(statement, chunks, settings)
    finally:
        connection.close()  # the thread's own connection


def chunks_read(statement, workers: int = WORKERS, settings: tuple = ()) -> list:
    """The rows of `statement(lo, hi) -> (sql, params)` over every id-range chunk of the customers (read-only).
    With more than one worker the chunks are read in parallel threads, each on its own connection (outside a
    transaction); inside one (tests, a bench's rollback) the rows it wrote are seen by this connection only."""
    chunks = list(_chunks())
    if workers > 1 and len(chunks) > 1 and not connection.in_atomic_block:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = pool.map(_in_thread, [statement] * workers, [chunks[i::workers] for i in range(workers)],
                             [settings] * workers)
            return [row for part in parts for row in part]
    return _read_chunks(statement, chunks, settings)


def impact_matrix(model: ScoringModel, today: date, workers: int = WORKERS) -> dict[tuple[int, int], list]:
    """{(old star, new star): [customers, credit change]} over every open customer (read-only)."""
    def statement(lo, hi):
        params = {"lo": lo, "hi": hi, **scoring.window_params(today)}
        return impact_sql.preview_sql(model, params, unrated=UNRATED, min_tenure=policies.MIN_TENURE_MONTHS), params

    rows = chunks_read(statement, workers)
    cells: dict = defaultdict(lambda: [0, Decimal(0)])
    for old, new, n, change in rows:
        cells[(old, new)][0] += n
        cells[(old, new)][1] += change
    return dict(cells)


def impact_preview(*, model: ScoringModel, by=None, today: date | None = None, workers: int = WORKERS) -> ImpactPreview:
    """Compute and keep the preview of `model` (a draft, the challenger, or any version)."""
    today = today or timezone.localdate()
    started = time.perf_counter()
    cells = impact_matrix(model, today, workers)
    matrix = [[old, new, n, str(change)] for (old, new), (n, change) in sorted(cells.items())]
    return ImpactPreview.objects.create(
        scoring_model=model, as_of=today, customers=sum(n for n, _ in cells.values()),
        moved=sum(n for (old, new), (n, _) in cells.items() if old != new),
        credit_change=sum((c for _, c in cells.values()), Decimal(0)), matrix=matrix,
        seconds=round(time.perf_counter() - started, 2), requested_by=by)


def matrix_table(preview: ImpactPreview) -> dict:
    """Rows and columns for the page: stars 5..0 and unrated, each cell (customers, credit change)."""
    stars = [5, 4, 3, 2, 1, 0, UNRATED]
    cells = {(old, new): (n, Decimal(change)) for old, new, n, change in preview.matrix}
    rows = [{"star": old, "cells": [cells.get((old, new), (0, Decimal(0))) for new in stars],
             "total": sum(cells.get((old, new), (0, 0))[0] for new in stars)} for old in stars]
    return {"stars": stars, "rows": [r for r in rows if r["total"]]}


# --- population stability ---------------------------------------------------------------------------------

def stability_counts(model: ScoringModel, today: date) -> dict[str, dict[str, int]]:
    """{variable: {bin: customers}} over the open customers: the star and each factor's bins."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    factors = list(model.factors.prefetch_related("bins"))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(scoring_sql.JIT_OFF_SQL)
        for lo, hi in _chunks():
            params = {"lo": lo, "hi": hi, **scoring.window_params(today)}
            cur.execute(impact_sql.stability_sql(model, factors, params, score=SCORE), params)
            for variable, value, n in cur.fetchall():
                counts[variable][value] += n
    return {k: dict(v) for k, v in counts.items()}


def stability_record(*, model: ScoringModel, month: date) -> list[ModelStability]:
    """Read the month's bins and PSI against the model's first month read (that month: PSI 0). Re-running a
    month replaces its readings."""
    month = month.replace(day=1)
    counts = stability_counts(model, month)
    first = model.stability.filter(month__lt=month).order_by("month").first()
    reference = dict(model.stability.filter(month=first.month).values_list("variable", "counts")) if first else {}
    rows = []
    for variable, bins in sorted(counts.items()):
        value = stability.psi(reference[variable], bins) if variable in reference else 0.0
        row, _ = ModelStability.objects.update_or_create(
            scoring_model=model, month=month, variable=variable, defaults={"psi": value, "counts": bins})
        rows.append(row)
    return rows
