"""Before a draft is published: what would it change? And while a model runs: has its population moved?

Both read the province set-based, one SQL statement per id-range chunk (as the rating batches), on the same
compiled model SQL the base rating uses (`scoring.compile_base_model` over `features.features_cte`):
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
from credit.features import features_cte
from credit.models import ImpactPreview, ModelStability, ScoringModel

CHUNK = 50_000
OPEN = "c.status <> 'closed'"
UNRATED = -1  # the matrix's key for "no star"
SCORE = "score"  # the stability variable of the model's output (its star)

PREVIEW_SQL = """
    WITH {features},
    scored AS MATERIALIZED (  -- only the score: not the factor values nor the points a rating keeps
        SELECT f.credit_star, f.credit_limit, f."tenure_months", {score} AS score FROM features f
    ),
    moves AS (
        SELECT coalesce(s.credit_star, {unrated}) AS old_star,
               CASE WHEN s."tenure_months" < {min_tenure} THEN {unrated} ELSE {star_case} END AS new_star,
               s.credit_limit AS old_limit
        FROM scored s
    )
    SELECT old_star, new_star, count(*),
           coalesce(sum(CASE WHEN new_star <> old_star THEN {initial_limit} - old_limit ELSE 0 END), 0)
    FROM moves GROUP BY 1, 2"""
WORKERS = min(4, os.cpu_count() or 1)  # chunks read in parallel, one database connection each


def _id_range() -> tuple[int, int] | None:
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) + 1 FROM customers_customer")
        lo, hi = cur.fetchone()
    return None if lo is None else (lo, hi)


def _chunks():
    bounds = _id_range()
    if bounds:
        for lo in range(bounds[0], bounds[1], CHUNK):
            yield lo, min(lo + CHUNK, bounds[1])


def _preview_sql(model: ScoringModel, params: dict) -> str:
    # The score is the rating's own points cases (scoring.score_sql) over features read once (MATERIALIZED: every
    # bin reads its feature), kept narrow and MATERIALIZED so that the star's cut-offs do not re-evaluate it.
    return PREVIEW_SQL.format(features=features_cte(OPEN, materialized=True), score=scoring.score_sql(model, params),
                              unrated=UNRATED, min_tenure=policies.MIN_TENURE_MONTHS,
                              star_case=scoring.star_sql(model, "s.score"),
                              initial_limit=scoring.INITIAL_LIMIT.format(star="new_star"))


def _read_chunks(statement, chunks: list, settings: tuple = ()) -> list:
    rows = []
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # a large generated statement: compiling costs more than it saves
        # Each feature source is grouped by customer (usage also by month) over an index in that order: streaming
        # group aggregates read it in order, where hash aggregates rebuilt ~1M-row tables a chunk (-30 % a chunk).
        cur.execute("SET LOCAL enable_hashagg = off")
        for setting in settings:
            cur.execute(f"SET LOCAL {setting}")
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
        return _preview_sql(model, params), params

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

def _bin_case(factor, params: dict) -> str:
    """The index of the factor's bin a customer falls in ('none' when no bin matches), as text."""
    whens = [f"WHEN {scoring.bin_condition(factor, i, b, params, prefix='sbin')} THEN '{i}'"
             for i, b in enumerate(factor.bins.all())]
    return f"(CASE {' '.join(whens)} ELSE 'none' END)"


def stability_counts(model: ScoringModel, today: date) -> dict[str, dict[str, int]]:
    """{variable: {bin: customers}} over the open customers: the star and each factor's bins."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    factors = list(model.factors.prefetch_related("bins"))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        for lo, hi in _chunks():
            params = {"lo": lo, "hi": hi, **scoring.window_params(today)}
            pairs = ", ".join([f"'{SCORE}', s.new_star::text"]
                              + [f"'{f.feature}', {_bin_case(f, params)}" for f in factors])
            sql = f"""WITH {features_cte(OPEN, materialized=True)}, {scoring.compile_base_model(model, params)}
                SELECT v.key, v.value, count(*)
                FROM scored s JOIN features f USING (id), jsonb_each_text(jsonb_build_object({pairs})) v
                GROUP BY 1, 2"""
            cur.execute(sql, params)
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
