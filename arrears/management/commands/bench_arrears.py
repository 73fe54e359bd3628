"""Time the nightly arrears evaluation over the demo province's lines against a hand-written SQL floor.

Setup (in each case's transaction, not timed): every line gets its account (opening balances from the
demo bills and payments), then balances are set so that about 5% of lines are in some arrears stage
(line id mod 100: 0–1 in the reminder range, 2–3 below zero, 4 below zero and barred for 40 days); the
rest keep a comfortable balance.
Each case runs inside a transaction that is rolled back, so both start from the same rows and the
database is left as it was:
  floor    = hand-written SQL per chunk: the day's late fees and balances, the state change with the default
             policy's numbers inlined, barring events and line status — no batch bookkeeping;
  pipeline = core.batches.batch_run_plan + batch_chunk_run for every chunk (claim, the compiled policy statement with
             its status log, blacklist and SMS writes, done-mark) in this process.
"""

import time
from datetime import date, timedelta

from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from arrears.evaluation import EVALUATE_CHUNK, EVALUATE_KIND
from arrears.sql import ENSURE_ACCOUNTS, JIT_OFF
from arrears.sql.bench import (ANALYZE_ACCOUNTS, FLOOR, LINE_ID_RANGE, NTH_LINE_ID, SETUP,
                                STRESSED_ACCOUNTS)
from core import batches
from core.models import BatchChunk, BatchRun

class Rollback(Exception):
    pass


def chunk_ranges(size: int) -> list[tuple[int, int]]:
    with connection.cursor() as cur:
        cur.execute(LINE_ID_RANGE)
        lo, hi = cur.fetchone()
    if lo is None:
        raise CommandError("No lines: run generate_province first.")
    return [(start, min(start + size, hi)) for start in range(lo, hi, size)]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=1_000_000, help="evaluate the first N lines (by id)")

    def handle(self, *args, lines, **options):
        day = timezone.localdate() + timedelta(days=1)  # tomorrow's run: it cannot exist yet
        if BatchRun.objects.filter(kind=EVALUATE_KIND, period=day.isoformat()).exists():
            raise CommandError(f"A real {EVALUATE_KIND} run for {day} exists; the bench would collide with it.")
        ranges = self._ranges(lines)
        floor, floor_rows, setup = self._timed(ranges, day, self._floor)
        pipeline, rows, _ = self._timed(ranges, day, self._pipeline)
        total, stressed, seconds = setup
        self.stdout.write(f"{total:,} lines in {len(ranges)} chunks of {EVALUATE_CHUNK:,}; {stressed:,} "
                          f"({100 * stressed / total:.1f}%) in some arrears stage (setup {seconds:.1f} s, not timed)")
        self.stdout.write(f"floor:     {floor:8.1f} s  ({floor_rows:,} lines changed state; hand-written SQL)")
        self.stdout.write(f"pipeline:  {pipeline:8.1f} s  ({rows:,} lines changed state; {total / pipeline:,.0f} "
                          f"lines/s)")
        self.stdout.write(f"ratio:     {pipeline / floor:8.2f}x (target <= 1.5x)")

    def _ranges(self, lines: int):
        with connection.cursor() as cur:
            cur.execute(NTH_LINE_ID, [lines - 1])
            row = cur.fetchone()
        ranges = chunk_ranges(EVALUATE_CHUNK)
        return [(lo, min(hi, row[0] + 1)) for lo, hi in ranges if not row or lo <= row[0]]

    @staticmethod
    def _setup(ranges, day: date) -> tuple[int, int, float]:
        start = time.perf_counter()
        with connection.cursor() as cur:
            for lo, hi in ranges:
                cur.execute(ENSURE_ACCOUNTS, {"lo": lo, "hi": hi, "today": day, "now": timezone.now()})
                cur.execute(SETUP, {"lo": lo, "hi": hi, "day": day})
            cur.execute(ANALYZE_ACCOUNTS)
            cur.execute(STRESSED_ACCOUNTS, [ranges[0][0], ranges[-1][1]])
            total, stressed = cur.fetchone()
        return total, stressed, time.perf_counter() - start

    def _timed(self, ranges, day, work) -> tuple[float, int, tuple]:
        """Set up, then time `work`, inside one transaction that is rolled back: the next case starts afresh."""
        result = {}
        try:
            with transaction.atomic():
                result["setup"] = self._setup(ranges, day)
                start = time.perf_counter()
                result["rows"] = work(ranges, day)
                result["seconds"] = time.perf_counter() - start
                raise Rollback
        except Rollback:
            pass
        return result["seconds"], result["rows"], result["setup"]

    @staticmethod
    def _floor(ranges, day: date) -> int:
        fees, states = FLOOR.split(";\n\n")
        changed = 0
        with connection.cursor() as cur:
            cur.execute(JIT_OFF)
            for lo, hi in ranges:
                cur.execute(fees, {"lo": lo, "hi": hi, "day": day})
                cur.execute(states, {"lo": lo, "hi": hi, "day": day})
                changed += cur.rowcount
        return changed

    @staticmethod
    def _pipeline(ranges, day: date) -> int:
        """The real chunks of a run over exactly these ranges: claim, work, done-mark (savepoints here)."""
        # A normal night, as the floor: the night before counts as done, else the run would catch up every day
        # since the database's last done evaluation (rolled back with the rest).
        BatchRun.objects.get_or_create(kind=EVALUATE_KIND, period=(day - timedelta(days=1)).isoformat(),
                                       defaults={"status": "done"})
        run = BatchRun.objects.create(kind=EVALUATE_KIND, period=day.isoformat(), total_chunks=len(ranges))
        chunks = BatchChunk.objects.bulk_create(BatchChunk(run=run, lo=lo, hi=hi) for lo, hi in ranges)
        for chunk in chunks:
            batches.batch_chunk_run(chunk.pk)
        run.refresh_from_db()
        if run.done_chunks != len(ranges):
            raise CommandError(f"the run did {run.done_chunks} of {len(ranges)} chunks")
        return run.rows_affected
