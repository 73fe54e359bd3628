"""Resumable, apply-once batch runs over id-range chunks.

A batch kind registers a *work function* `work(lo, hi, run) -> rows` that does set-based SQL
for ids in [lo, hi) (`run` gives it the period and the run id to record). A run is unique per
(kind, period). Each chunk's work and its "done" mark commit in one transaction, and a chunk is claimed with
SELECT ... FOR UPDATE SKIP LOCKED, so any number of workers can share a run, a killed
worker's chunk is simply redone (its transaction rolled back), and nothing applies twice.
"""

import logging
from dataclasses import dataclass
from collections.abc import Callable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.choices import BatchStatus
from core.models import BatchChunk, BatchRun
from core.sql import analyze_sql, id_bounds_sql

log = logging.getLogger(__name__)

# An outage longer than this is a restore, not a catch-up: the scheduler plans at most this many missed days.
CATCH_UP_MAX_DAYS = 120
ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"
ISO_MONTH = r"^\d{4}-\d{2}$"

@dataclass(frozen=True)
class BatchKind:
    name: str
    table: str
    work: Callable[[int, int, BatchRun], int]
    chunk_size: int
    # Tables the run rewrites wholesale (a first night opens a million line accounts): analysed once the last
    # chunk is done, so the morning's pages are planned on the night's rows rather than on yesterday's statistics
    # (autovacuum's analyse comes later, or not at all where it is off).
    analyze: tuple[str, ...] = ()


REGISTRY: dict[str, BatchKind] = {}


def batch_register(name: str, *, table: str, chunk_size: int, analyze: tuple[str, ...] = ()):
    def decorator(work):
        REGISTRY[name] = BatchKind(name=name, table=table, work=work, chunk_size=chunk_size, analyze=analyze)
        return work

    return decorator


def _id_bounds(table: str) -> tuple[int, int] | None:
    with connection.cursor() as cur:
        cur.execute(id_bounds_sql(table))
        lo, hi = cur.fetchone()
    return None if lo is None else (lo, hi + 1)


@transaction.atomic
def batch_run_plan(*, kind: str, period: str, chunk_size: int | None = None) -> BatchRun:
    """Get or create the run for (kind, period); a new run is split into chunks once (of the kind's chunk size,
    unless a bench or drill asks for another)."""
    spec = REGISTRY[kind]
    size = chunk_size or spec.chunk_size
    run, created = BatchRun.objects.select_for_update().get_or_create(kind=kind, period=period)
    if created:
        bounds = _id_bounds(spec.table)
        if bounds:
            lo, hi = bounds
            BatchChunk.objects.bulk_create(
                BatchChunk(run=run, lo=start, hi=min(start + size, hi)) for start in range(lo, hi, size)
            )
        run.total_chunks = run.chunks.count()
        run.status = BatchStatus.RUNNING if run.total_chunks else BatchStatus.DONE
        run.finished_at = None if run.total_chunks else timezone.now()
        run.save()
    return run


def pending_chunk_ids(run: BatchRun) -> list[int]:
    return list(run.chunks.filter(done=False).values_list("id", flat=True))


def batch_chunk_run(chunk_id: int, worker: str = "") -> bool:
    """Do one chunk's work if nobody has. Returns False when it was already done or taken."""
    with transaction.atomic():
        # of=("self",): lock the chunk row only. A plain FOR UPDATE would also lock the joined run row, and
        # every other worker's claim would then skip its own chunk while this one runs (no parallelism).
        chunk = (
            BatchChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("run")
            .filter(pk=chunk_id, done=False)
            .first()
        )
        if chunk is None:
            return False
        if worker:  # the drills read which worker held which chunk
            log.info("chunk %s of %s claimed by %s", chunk_id, chunk.run, worker)
        rows = REGISTRY[chunk.run.kind].work(chunk.lo, chunk.hi, chunk.run)
        chunk.done, chunk.rows_affected, chunk.done_at, chunk.done_by = True, rows, timezone.now(), worker[:150]
        chunk.save(update_fields=["done", "rows_affected", "done_at", "done_by"])
        BatchRun.objects.filter(pk=chunk.run_id).update(
            done_chunks=F("done_chunks") + 1, rows_affected=F("rows_affected") + rows
        )
    finished = BatchRun.objects.filter(pk=chunk.run_id, done_chunks=F("total_chunks"),
                                       finished_at__isnull=True).update(status=BatchStatus.DONE,
                                                                        finished_at=timezone.now())
    tables = REGISTRY[chunk.run.kind].analyze
    if finished and tables and not connection.in_atomic_block:  # the worker that finished the run, once
        with connection.cursor() as cur:
            cur.execute(analyze_sql(tables))
    return True


def facts_forget_before(kind: str, day: date, keep_days: int) -> date:
    """The day before which a nightly facts kind's rows may be deleted when `day`'s run is planned: `keep_days`
    back, but never the latest complete night (the pages read it until a newer one completes, however many nights
    failed since)."""
    latest = latest_done_day(kind)
    cutoff = day - timedelta(days=keep_days)
    return cutoff if latest is None else min(cutoff, latest)


def latest_done_day(kind: str) -> date | None:
    """The latest day (YYYY-MM-DD period) of a nightly kind whose run is complete (every chunk done), or None."""
    period = (BatchRun.objects.filter(kind=kind, status=BatchStatus.DONE, period__regex=ISO_DAY)
              .order_by("-period").values_list("period", flat=True).first())
    return date.fromisoformat(period) if period else None


def batch_run_in_process(kind: str, period: str) -> BatchRun:
    """Plan (or resume) a run and do its pending chunks here, without workers: the demo set-up, replays,
    benchmarks' set-up and tests. Returns the run as it ended."""
    run = batch_run_plan(kind=kind, period=period)
    for chunk_id in pending_chunk_ids(run):
        batch_chunk_run(chunk_id)
    run.refresh_from_db()
    return run


def unclaimed_chunk_ids(run: BatchRun) -> list[int]:
    """Pending chunks no worker holds right now (a chunk being worked on is locked and skipped)."""
    with transaction.atomic():
        return list(BatchChunk.objects.select_for_update(skip_locked=True).filter(run=run, done=False)
                    .values_list("id", flat=True))


def stalled_runs(*, idle: timedelta) -> list[BatchRun]:
    """Running runs with no chunk done and no dispatch for `idle`: their chunks were lost with a worker host that
    was cut off, or with a broker that was restarted empty. Dispatching them again is safe (apply-once)."""
    since = timezone.now() - idle
    stalled = []
    for run in BatchRun.objects.filter(status=BatchStatus.RUNNING, started_at__lt=since):
        last_done = run.chunks.filter(done=True).order_by("-done_at").values_list("done_at", flat=True).first()
        if max(filter(None, [last_done, run.dispatched_at, run.started_at])) < since:
            stalled.append(run)
    return stalled


def _last_done_period(kind: str, before: str, pattern: str) -> str | None:
    return (BatchRun.objects.filter(kind=kind, status=BatchStatus.DONE, period__lt=before, period__regex=pattern)
            .order_by("-period").values_list("period", flat=True).first())


def missed_days(kind: str, until: date, *, max_days: int = CATCH_UP_MAX_DAYS) -> list[date]:
    """The periods a daily job must run, oldest first, to be done through `until`: every day after its last done
    period (a scheduler or worker outage skipped them), then `until`; only `until` when it never ran."""
    last = _last_done_period(kind, until.isoformat(), ISO_DAY)
    first = until if last is None else max(date.fromisoformat(last) + timedelta(days=1),
                                           until - timedelta(days=max_days - 1))
    return [first + timedelta(days=n) for n in range((until - first).days + 1)]


def missed_months(kind: str, until: date, *, max_months: int = 24) -> list[str]:
    """missed_days for a monthly job: 'YYYY-MM' periods after its last done month through `until`'s month."""
    def index(year: int, month: int) -> int:
        return year * 12 + month - 1

    end = index(until.year, until.month)
    last = _last_done_period(kind, f"{until:%Y-%m}", ISO_MONTH)
    start = end if last is None else max(index(int(last[:4]), int(last[5:7])) + 1, end - max_months + 1)
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(start, end + 1)]
