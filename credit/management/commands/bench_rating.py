"""Time the credit rating runs end to end on the real batch pipeline, each against a SQL floor.

Cases, in this order, on the demo province:
  (a) first rating: every customer unrated (star NULL, limit 0), base run for the current month;
  (b) steady state: the base run again for the next month (only unrated/0★ qualifying customers re-scored);
  (g) guidance run over 1–5★ for the current half-year;
  (a) again with N real Celery worker processes sharing the run (--workers; on REDIS_URL or the embedded Redis).

Pipeline = core.batches.batch_run_plan + batch_chunk_run for every chunk (or dispatch_run to the workers): each
chunk's work SQL, its done-mark and commit. Floor = the statements the work function issues for the same
chunk ranges (the compiled model's SQL, tuned by hand against EXPLAIN: jit off, the features and score CTEs
materialized, the UPDATE bounded to the chunk), without claims, done-marks or per-chunk commits, deferred
FK checks fired, then rolled back: what the run costs with the batch machinery taken away.
Fairness: floor and pipeline of a case start from the same rows (the floor rolls back), both after a
VACUUM (autovacuum may be off) and after a read-only warm-up of the tables the features read.

The original star/limit columns are kept in an unlogged table (bench_rating_backup) and restored at the
end, also on error; an interrupted bench is recovered from that table on the next start. The bench's
rating rows and batch runs are deleted and the two tables vacuumed and reindexed.
"""

import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from config.celery import all_tasks_to, app
from core import batches
from core.models import BatchRun
from core.ops.processes import stop_processes
from core.tasks import dispatch_run
from credit import policies, scoring
from credit.batches import BASE_KIND, GUIDANCE_KIND, period_anchor
from credit.sql.features import features_cte
from credit.sql.scoring import ELIGIBLE_BASE, ELIGIBLE_GUIDANCE
from credit.tasks import current_period
from customers.policies import months_ago

BACKUP = "bench_rating_backup"
FLOOR_KIND = "bench.floor"  # the floor's throwaway run, always rolled back
QUEUE = "bench_rating"  # a private queue: no other worker on the broker can take the bench's chunks
TARGETS = {5: 1, 4: 7, 3: 7, 2: 15, 1: 20, 0: 50}
METHOD = """method:
  pipeline   = batch_run_plan + batch_chunk_run for every chunk in this process (or dispatch_run to real workers): the
               work SQL, the done-mark and a commit per chunk. 'work s' is the time inside the work function,
               'bookkeep s' the rest: claim, done-mark, and the commit, which also runs the rating rows' deferred FK
               checks.
  floor      = the same work function's SQL for the same chunk ranges (jit off; base model: features and
               score CTEs MATERIALIZED; UPDATE bounded to the chunk), without claims or done-marks, the deferred FK
               checks fired, then rolled back. It runs first, on exactly the rows the pipeline then rates.
  fairness   = both after a VACUUM of the written tables; the tables the features read were warmed once before.
               'floor rows' must equal 'ratings'. The worker case is compared with the in-process floor of (a)."""


@dataclasses.dataclass
class Result:
    label: str
    pipeline: float
    floor: float
    work: float | None
    ratings: int = 0
    stars_changed: int = 0
    floor_rows: int = 0
    rated: int = 0  # rated customers before the run
    eligible: int = 0  # customers the run (re-)scores
    sms: int = 0  # touchpoint SMS the run queued


def sql(statement: str, params=None):
    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else cur.rowcount


def next_month(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


# --- database state -------------------------------------------------------------------------------

def backup_exists() -> bool:
    return bool(sql("SELECT 1 FROM pg_class WHERE relname = %s AND relkind = 'r'", [BACKUP]))


def backup_columns():
    sql(f"CREATE UNLOGGED TABLE {BACKUP} AS SELECT id, credit_star, credit_limit FROM customers_customer")
    sql(f"ALTER TABLE {BACKUP} ADD PRIMARY KEY (id)")


def restore_columns() -> int:
    restored = sql(f"""UPDATE customers_customer c SET credit_star = b.credit_star, credit_limit = b.credit_limit
                       FROM {BACKUP} b WHERE c.id = b.id
                         AND (c.credit_star IS DISTINCT FROM b.credit_star OR c.credit_limit <> b.credit_limit)""")
    (differences,), = sql(f"""SELECT count(*) FROM customers_customer c JOIN {BACKUP} b USING (id)
                              WHERE c.credit_star IS DISTINCT FROM b.credit_star OR c.credit_limit <> b.credit_limit""")
    if differences:
        raise CommandError(f"{differences} customers differ from {BACKUP} after the restore; the table is kept")
    sql(f"DROP TABLE {BACKUP}")
    return restored


def make_all_unrated() -> int:
    return sql("UPDATE customers_customer SET credit_star = NULL, credit_limit = 0 "
               "WHERE credit_star IS NOT NULL OR credit_limit <> 0")


def delete_runs(pairs) -> int:
    """Runs of these (kind, period) pairs with their chunks, rating rows and queued SMS (raw SQL: big)."""
    ids = [pk for kind, period in pairs for pk in BatchRun.objects.filter(kind=kind, period=period)
           .values_list("pk", flat=True)]
    if ids:
        bench_messages = ("SELECT m.id FROM credit_smsmessage m JOIN credit_rating r "
                          "ON m.dedup_key = 'rating-' || r.id WHERE r.run_id = ANY(%s)")
        sql(f"DELETE FROM credit_smsdelivery WHERE message_id IN ({bench_messages})", [ids])
        sql(f"DELETE FROM credit_smsmessage WHERE id IN ({bench_messages})", [ids])
        sql("DELETE FROM credit_rating WHERE run_id = ANY(%s)", [ids])
        sql("DELETE FROM core_batchchunk WHERE run_id = ANY(%s)", [ids])
        sql("DELETE FROM core_batchrun WHERE id = ANY(%s)", [ids])
    return len(ids)


def settle(reindex=False):
    """Remove the dead rows of the previous step so that every measurement starts from a clean heap."""
    for table in ("customers_customer", "credit_rating", "credit_smsmessage"):
        sql(f"VACUUM (ANALYZE) {table}")
        if reindex:
            sql(f"REINDEX TABLE {table}")


def chunk_ranges(kind: str) -> list[tuple[int, int]]:
    (lo, hi), = sql("SELECT min(id), max(id) + 1 FROM customers_customer")
    size = batches.REGISTRY[kind].chunk_size
    return [(start, min(start + size, hi)) for start in range(lo, hi, size)]


def star_counts() -> dict:
    return dict(sql("SELECT credit_star, count(*) FROM customers_customer GROUP BY credit_star"))


def run_counts(run_id: int) -> tuple[int, int, int]:
    """Rating rows of the run, how many changed the star, and the SMS they queued."""
    (ratings, stars), = sql("SELECT count(*), count(*) FILTER (WHERE old_star IS DISTINCT FROM new_star) "
                            "FROM credit_rating WHERE run_id = %s", [run_id])
    (sms,), = sql("SELECT count(*) FROM credit_smsmessage m JOIN credit_rating r ON m.dedup_key = 'rating-' || r.id "
                  "WHERE r.run_id = %s", [run_id])
    return ratings, stars, sms


# --- the floor: the work function's own statements without the batch bookkeeping ------------------

def window(period: str) -> dict:
    anchor = period_anchor(period)
    return {**scoring.window_params(anchor), "since_min_tenure": months_ago(anchor, policies.MIN_TENURE_MONTHS)}


def is_write(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("WITH", "INSERT", "UPDATE", "DELETE"))


@contextmanager
def scratch_run(period: str, *, jit: bool):
    """A transaction that is rolled back, with a throwaway run for the rating rows to point at."""
    with transaction.atomic():
        if not jit:
            sql("SET LOCAL jit = off")
        yield BatchRun.objects.create(kind=FLOOR_KIND, period=period)
        transaction.set_rollback(True)


def floor_chunk(kind: str, period: str, lo: int, hi: int) -> int:
    with scratch_run(period, jit=False) as run:
        rows = batches.REGISTRY[kind].work(lo, hi, run)
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred FK checks a commit would run
    return rows


def measure_floor(kind: str, period: str) -> tuple[float, int]:
    start = time.perf_counter()
    rows = sum(floor_chunk(kind, period, lo, hi) for lo, hi in chunk_ranges(kind))
    return time.perf_counter() - start, rows


def eligible_count(kind: str, period: str) -> int:
    eligible = ELIGIBLE_BASE if kind == BASE_KIND else ELIGIBLE_GUIDANCE
    (n,), = sql(f"SELECT count(*) FROM customers_customer c WHERE {eligible}", window(period))
    return n


def warm_up(kind: str, period: str):
    """Read every chunk's features once (read-only), so that no measurement pays for a cold cache."""
    for lo, hi in chunk_ranges(kind):
        sql(f"WITH {features_cte()} SELECT count(*), sum(length(f::text)) FROM features f",
            {"lo": lo, "hi": hi, **window(period)})


# --- the pipeline -----------------------------------------------------------------------------------

@contextmanager
def timed_work(kind: str):
    """Wrap the registered work function to add up the time spent in the work SQL itself."""
    spec, spent = batches.REGISTRY[kind], [0.0]

    def work(lo, hi, run):
        start = time.perf_counter()
        try:
            return spec.work(lo, hi, run)
        finally:
            spent[0] += time.perf_counter() - start

    batches.REGISTRY[kind] = dataclasses.replace(spec, work=work)
    try:
        yield spent
    finally:
        batches.REGISTRY[kind] = spec


def run_in_process(kind: str, period: str) -> tuple[BatchRun, float, float]:
    delete_runs([(kind, period)])
    with timed_work(kind) as spent:
        start = time.perf_counter()
        run = batches.batch_run_plan(kind=kind, period=period)
        for chunk_id in batches.pending_chunk_ids(run):
            batches.batch_chunk_run(chunk_id)
        elapsed = time.perf_counter() - start
    run.refresh_from_db()
    if run.status != "done":
        raise CommandError(f"{run} did not finish: {run.done_chunks}/{run.total_chunks}")
    return run, elapsed, spent[0]


def start_workers(n: int, log) -> list[subprocess.Popen]:
    celery = Path(sys.executable).with_name("celery")
    return [subprocess.Popen([str(celery), "-A", "config", "worker", "--pool=solo", "--concurrency=1", "-Q", QUEUE,
                              "-n", f"bench-rating-{i}@bench", "--without-gossip", "--without-mingle",
                              "--without-heartbeat", "--loglevel=INFO"],
                             cwd=settings.BASE_DIR, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
            for i in range(n)]


def wait_ready(n: int, procs, timeout=90):
    names = {f"bench-rating-{i}@bench" for i in range(n)}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise CommandError("a worker exited while starting")
        replies = app.control.ping(destination=sorted(names), timeout=1.0)
        if names <= {name for reply in replies for name in reply}:
            return
    raise CommandError(f"workers not ready after {timeout} s")


def queued() -> int:
    """Messages waiting in the bench queue (the broker is Redis: a queue is a list, absent when empty)."""
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(QUEUE)


@contextmanager
def bench_queue():
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)  # leftovers of an interrupted bench
    with all_tasks_to(QUEUE):
        yield


def wait_done(kind: str, period: str, run: BatchRun, procs, note, stall=120, timeout=3600) -> int:
    """Poll the run until done. Only when the queue has drained and no chunk has finished for `stall` s
    (every worker idle with chunks still pending) is it resumed with dispatch_run, as an operator would;
    returns how many times that was needed (0 when the workers shared the run by themselves)."""
    resumed, last_done, last_change = 0, run.done_chunks, time.monotonic()
    while run.status != "done":
        if all(p.poll() is not None for p in procs):
            raise CommandError("all workers exited before the run was done")
        idle = time.monotonic() - last_change
        if idle > timeout:
            raise CommandError(f"no progress for {timeout} s: {run.done_chunks}/{run.total_chunks}")
        if run.done_chunks != last_done:
            note(f"    {run.done_chunks}/{run.total_chunks} chunks done")
            last_done, last_change = run.done_chunks, time.monotonic()
        elif idle > stall and not queued():
            dispatch_run(kind, period)
            resumed += 1
            note(f"    no progress for {stall} s and the queue is empty: re-dispatched ({resumed})")
            last_change = time.monotonic()
        time.sleep(0.2)
        run.refresh_from_db()
    return resumed


def run_on_workers(kind: str, period: str, n: int, note) -> tuple[BatchRun, float, int, str]:
    """Dispatch the run to n worker processes; returns the run, the time, the re-dispatches and the worker log."""
    delete_runs([(kind, period)])
    with tempfile.NamedTemporaryFile("w+", prefix="bench_rating_workers_", suffix=".log") as log, bench_queue():
        procs = start_workers(n, log)
        try:
            wait_ready(n, procs)
            start = time.perf_counter()
            run = dispatch_run(kind, period)
            resumed = wait_done(kind, period, run, procs, note)
            elapsed = time.perf_counter() - start
        finally:
            stop_processes(procs)
            log.seek(0)
            text = log.read()
            if sys.exc_info()[0]:
                note(f"worker log (tail):\n{text[-3000:]}")
    return run, elapsed, resumed, text


# --- profiling --------------------------------------------------------------------------------------

ACTUAL = re.compile(r"actual time=[\d.]+\.\.([\d.]+)")


def explain_chunk(kind: str, period: str, lo: int, hi: int) -> list[str]:
    """EXPLAIN ANALYZE the work function's statements for one chunk (rolled back); summarised."""
    plans = []

    def explain(execute, statement, params, many, context):
        if not is_write(statement):
            return execute(statement, params, many, context)
        result = execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params, many, context)
        plans.append([row[0].strip() for row in context["cursor"].fetchall()])
        return result

    with scratch_run(period, jit=False) as run, connection.execute_wrapper(explain):
        batches.REGISTRY[kind].work(lo, hi, run)
        sql("SET CONSTRAINTS ALL IMMEDIATE")
    return [line for plan in plans for line in summarise(plan)]


def summarise(plan: list[str]) -> list[str]:
    """Each CTE's and write node's time (inclusive of its inputs), JIT time and the total."""
    keep = []
    for line, following in zip(plan, plan[1:] + [""], strict=True):
        if line.startswith("CTE ") and ACTUAL.search(following):
            keep.append(f"{line:<40}{ACTUAL.search(following).group(1):>12} ms")
        elif re.match(r"(->  )?(Update|Insert) on", line):
            keep.append(f"{line.split('(')[0].removeprefix('->  ').strip():<40}{ACTUAL.search(line).group(1):>12} ms")
        elif line.startswith(("Timing:", "Execution Time")):
            keep.append(line)
    return keep


class Command(BaseCommand):
    help = "Benchmark the base and guidance rating runs end to end against a SQL floor (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1_000_000)
        parser.add_argument("--workers", type=int, default=2, help="real Celery workers for case (a); 0 to skip")
        parser.add_argument("--explain", action="store_true",
                            help="EXPLAIN ANALYZE the middle chunk of each case")

    def handle(self, *args, customers, workers, explain, **options):
        self.explain = explain
        self.ensure_province(customers)
        self.periods = {"a": (BASE_KIND, current_period(BASE_KIND)),
                        "b": (BASE_KIND, next_month(current_period(BASE_KIND))),
                        "g": (GUIDANCE_KIND, current_period(GUIDANCE_KIND))}
        self.recover_or_check()
        self.note("backing up credit_star/credit_limit")
        backup_columns()
        try:
            results = self.measure_all(workers)
        finally:
            self.note("restoring the demo database")
            delete_runs(self.periods.values())
            restored = restore_columns()
            settle(reindex=True)
            self.note(f"restored {restored:,} customers' star/limit; bench runs and their ratings deleted")
        self.print_results(results)

    # -- setup ------------------------------------------------------------------------------------

    def note(self, text: str):
        self.stdout.write(f"  [{timezone.localtime():%H:%M:%S}] {text}")
        self.stdout.flush()

    def ensure_province(self, customers: int):
        (have,), = sql("SELECT count(*) FROM customers_customer")
        if have < customers:
            self.note(f"{have:,} customers < {customers:,}: generating the province (seed 1, --wipe)")
            call_command("generate_province", customers=customers, seed=1, wipe=True, stdout=self.stdout)
            # the generator emits inputs only: they go in through the intake as the initial load, with tonight's jobs
            call_command("replay_province", months=1, stdout=self.stdout)
            (have,), = sql("SELECT count(*) FROM customers_customer")
        self.customers = have

    def recover_or_check(self):
        if backup_exists():
            self.note(f"{BACKUP} exists: an earlier bench was interrupted; restoring from it first")
            delete_runs(self.periods.values())
            restore_columns()
            settle()
            return
        taken = [f"{k} {p}" for k, p in self.periods.values() if BatchRun.objects.filter(kind=k, period=p).exists()]
        if taken:
            raise CommandError(f"Real runs exist for {', '.join(taken)}; the bench would delete them. Aborting.")

    # -- cases ------------------------------------------------------------------------------------

    def measure_all(self, workers: int) -> dict[str, Result]:
        self.note("(a): making every customer unrated")
        make_all_unrated()
        settle()
        self.note("warming up: reading every chunk's features once")
        warm_up(*self.periods["a"])
        results = {"a": self.measure("(a) first rating", "a")}
        self.shares = star_counts()
        results["b"] = self.measure("(b) steady state", "b")
        results["g"] = self.measure("(g) guidance", "g")
        if workers:
            results["w"] = self.measure_workers(workers, results["a"])
        return results

    def measure(self, label: str, case: str) -> Result:
        kind, period = self.periods[case]
        if self.explain:
            self.profile(kind, period)
        settle()
        rated = sum(n for s, n in star_counts().items() if s is not None)
        eligible = eligible_count(kind, period)
        self.note(f"{label}: floor, {kind} {period}, {eligible:,} eligible")
        floor, floor_rows = measure_floor(kind, period)
        settle()
        self.note(f"{label}: pipeline (floor took {floor:.1f} s)")
        run, elapsed, work = run_in_process(kind, period)
        ratings, stars, sms = run_counts(run.pk)
        self.note(f"{label}: pipeline took {elapsed:.1f} s, {ratings:,} ratings")
        return Result(f"{label} {period}", elapsed, floor, work, ratings, stars, floor_rows, rated, eligible, sms)

    def measure_workers(self, n: int, first: Result) -> Result:
        kind, period = self.periods["a"]
        label = f"(a) first rating, {n} workers"
        self.note(f"{label}: making every customer unrated")
        make_all_unrated()
        delete_runs([(kind, period)])
        settle()
        self.note(f"{label}: starting workers, dispatching {kind} {period}")
        run, elapsed, resumed, log = run_on_workers(kind, period, n, self.note)
        ratings, stars, sms = run_counts(run.pk)
        outcomes = re.findall(r"succeeded in [\d.]+s: (True|False)", log)
        claimed, skipped = outcomes.count("True"), outcomes.count("False")
        self.workers_note = (f"{label}: {claimed} chunk tasks did a chunk, {skipped} found their chunk taken "
                             f"(returned False) and left it pending; the run needed {resumed} re-dispatches")
        self.note(f"{label}: took {elapsed:.1f} s, {ratings:,} ratings")
        return dataclasses.replace(first, label=f"{label} {period}", pipeline=elapsed, work=None, ratings=ratings,
                                   stars_changed=stars, sms=sms)

    def profile(self, kind: str, period: str):
        ranges = chunk_ranges(kind)
        lo, hi = ranges[len(ranges) // 2]
        self.note(f"EXPLAIN ANALYZE {kind} {period}, chunk [{lo}, {hi}), rolled back")
        for line in explain_chunk(kind, period, lo, hi):
            self.stdout.write(f"        {line}")

    # -- report -----------------------------------------------------------------------------------

    def print_results(self, results: dict[str, Result]):
        w = self.stdout.write
        size = batches.REGISTRY[BASE_KIND].chunk_size
        w(f"\n== bench_rating: {self.customers:,} customers, {len(chunk_ranges(BASE_KIND))} chunks of {size:,} ==")
        w(f"{'case':<36}{'pipeline s':>11}{'cust/s':>9}{'work s':>9}{'bookkeep s':>11}{'floor s':>9}"
          f"{'pipe/floor':>11}{'ratings':>10}{'floor rows':>11}{'stars chg':>10}{'SMS':>9}")
        for r in results.values():
            work = f"{r.work:>9.1f}{r.pipeline - r.work:>11.1f}" if r.work is not None else f"{'-':>9}{'-':>11}"
            w(f"{r.label:<36}{r.pipeline:>11.1f}{self.customers / r.pipeline:>9,.0f}{work}{r.floor:>9.1f}"
              f"{r.pipeline / r.floor:>11.2f}{r.ratings:>10,}{r.floor_rows:>11,}{r.stars_changed:>10,}{r.sms:>9,}")
        self.print_shares()
        b, g = results["b"], results["g"]
        w(f"(b) re-scored {b.eligible:,} unrated/0★ qualifying customers; {b.stars_changed:,} stars changed = "
          f"{100 * b.stars_changed / b.rated:.2f}% of {b.rated:,} rated "
          f"({'under' if b.stars_changed < 0.05 * b.rated else 'NOT under'} 5%)")
        w(f"(g) guided {g.eligible:,} 1–5★ customers; {g.ratings:,} changed, {g.stars_changed:,} stars changed = "
          f"{100 * g.stars_changed / g.rated:.2f}% of {g.rated:,} rated")
        w("\n" + METHOD)
        if getattr(self, "workers_note", None):
            w(self.workers_note)
        slow = [r.label for r in results.values() if r.pipeline > 1.5 * r.floor]
        if slow:
            w(f"slower than 1.5x the floor: {'; '.join(slow)} (--explain prints a chunk's plan)")

    def print_shares(self):
        rated = sum(n for s, n in self.shares.items() if s is not None)
        parts = [f"{s}★ {100 * self.shares.get(s, 0) / rated:.1f}% (target {TARGETS[s]}%)" for s in range(5, -1, -1)]
        unrated = self.shares.get(None, 0)
        self.stdout.write(f"\nstar shares after (a), % of {rated:,} rated: " + ", ".join(parts)
                          + f"; unrated {unrated:,} ({100 * unrated / self.customers:.1f}% of all customers)")
