"""BENCHMARK ONLY: fill a generated province's input tables straight from the replay inbox, then run the product's
nightly jobs over them, so that a 1M-customer database for page and batch benchmarks is ready in minutes rather than
the hours an 18-month replay through the bulk intake takes today.

What it bypasses, and why that is acceptable only for a benchmark database: the intake's validation and its per-
posting effects. Usage summaries, bills (with their SP charges) and payments are copied set-based from
`replay_inbox` into their tables as billing sent them; each line's payments are then allocated to its oldest unpaid
bills as the bills are copied (the intake's allocation rule, applied to the whole history at once rather than
payment by payment). The copies run with the foreign-key triggers off (the generator made these rows for these
customers and lines; the deferred checks alone took longer than the copy). No ledger entry is written here: the
nightly evaluation opens every line's account from what billing reported (the latest prepaid balance less the bills
still unpaid, `arrears.sql.ENSURE_ACCOUNTS`), the product's own path for history that predates its ledger. Line
status changes (few) go through the product's bulk intake service. Every derived row — accounts, arrears age,
barring, ratings, stars, snapshots, value, alerts — is then the work of the scheduled jobs, run in process in the
replay's order (`customers.demo.replay._night`): the night of the month's 1st (the monthly jobs) and tonight.

Never used by the product or the tests. Refuses a database that already holds bills.
"""

import json
import time
from datetime import date

from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from arrears.models import Bill, Payment
from config.celery import app
from core.management.commands.run_night import night_jobs
from customers import bulk
from customers.demo.province import INBOX_SCHEMA, inbox_table
from customers.demo.replay import FED_TABLES, _line, _night, _rows
from customers.models import Line, LineStatusChange, UsageSummary

# Each bill's paid amount: the line's payments allocated to its oldest bills first (the intake's allocation rule,
# applied to the whole history at once), computed as the bills are copied rather than updated afterwards.
PAID_AMOUNT = f"""
    SELECT b.{{columns}}, least(b.amount, greatest(0, coalesce(p.paid, 0) - b.before)) AS paid_amount
    FROM (SELECT *, sum(amount) OVER (PARTITION BY line_id ORDER BY due_date, id) - amount AS before
          FROM {inbox_table(Bill)}) b
    LEFT JOIN (SELECT line_id, sum(amount) AS paid FROM {inbox_table(Payment)} GROUP BY line_id) p
           ON p.line_id = b.line_id"""


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--skip-nights", action="store_true", help="load the inputs only")
        parser.add_argument("--skip-statuses", action="store_true",
                            help="leave billing's line status changes out (the per-item service takes ~30 min at 1M)")
        parser.add_argument("--night", action="append", type=date.fromisoformat, dest="nights",
                            help="YYYY-MM-DD, repeatable: the nights to run (default: the month's 1st and tonight)")
        parser.add_argument("--only", default="", help="comma-separated task names (or their parts): run only "
                            "these of each night's jobs, in the schedule's order (the others are left out)")
        parser.add_argument("--nights-only", action="store_true",
                            help="the inputs are loaded already (a run stopped after the copies): run the nights")

    def step(self, label, fn):
        t0 = time.perf_counter()
        result = fn()
        self.stdout.write(f"  {label}: {result if result is not None else ''} in {time.perf_counter() - t0:.1f} s")
        self.stdout.flush()
        return result

    def handle(self, *args, skip_nights=False, skip_statuses=False, nights_only=False, nights=None, only="",
               **options):
        if Bill.objects.exists() != nights_only:
            raise CommandError("Bills exist already: this loader fills an empty generated province only."
                               if not nights_only else "No bills: load the inputs first.")
        with connection.cursor() as cur:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", [inbox_table(Bill)])
            if not cur.fetchone()[0]:
                raise CommandError("No replay inbox: run generate_province first.")
        started = time.perf_counter()
        if not nights_only:
            self.step("usage summaries", lambda: self._copy(UsageSummary))
            self.step("bills, payments allocated to the oldest first", self._bills)
            self.step("SP charges", self._sp_charges)
            self.step("payments", lambda: self._copy(Payment))
            self.step("analyze", lambda: self._sql(f"ANALYZE {', '.join(FED_TABLES)}"))
            if not skip_statuses:
                self.step("line status changes (bulk intake service)", self._statuses)
        if not skip_nights:
            today = timezone.localdate()
            totals = {"nights": 0}
            for day in sorted(nights or {today.replace(day=1), today}):
                if only:
                    self.step(f"night of {day} (only {only})", lambda day=day: self._some_jobs(day, only, totals))
                else:
                    self.step(f"night of {day}", lambda day=day: _night(day, totals))
                # the night opened and moved every line's account: the next night is planned on fresh statistics
                # (this cluster runs without autovacuum)
                self.step("analyze", lambda: self._sql("ANALYZE"))
            for name, seconds in sorted(totals.get("jobs_s", {}).items(), key=lambda kv: -kv[1]):
                self.stdout.write(f"    {name}: {seconds:.1f} s")
        # the nights rewrote accounts, stars and statuses faster than autovacuum notices: fresh statistics
        self.step("analyze", lambda: self._sql("ANALYZE"))
        self.stdout.write(self.style.SUCCESS(f"loaded in {time.perf_counter() - started:.1f} s"))

    @staticmethod
    def _sql(sql: str, params=None) -> int:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.rowcount

    @staticmethod
    def _bulk_session() -> None:
        """The inbox rows were generated against these very customers and lines: the foreign-key triggers
        (deferred, a check per row at commit, tens of minutes for 17M rows) are off for the copy's transaction."""
        connection.cursor().execute("SET LOCAL session_replication_role = replica; SET LOCAL work_mem = '256MB'; "
                                    "SET LOCAL synchronous_commit = off")

    def _insert(self, model, select: str) -> int:
        """Into `model`'s table keeping the inbox's ids (the tables are empty), then its id sequence."""
        table = model._meta.db_table
        names = [f.column for f in model._meta.concrete_fields]
        with transaction.atomic():
            self._bulk_session()
            n = self._sql(f"INSERT INTO {table} ({', '.join(names)}) {select}")
            self._sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                      f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        return n

    def _copy(self, model) -> int:
        names = ", ".join(f.column for f in model._meta.concrete_fields)
        return self._insert(model, f"SELECT {names} FROM {inbox_table(model)}")

    def _bills(self) -> int:
        names = [f.column for f in Bill._meta.concrete_fields if f.column != "paid_amount"]
        assert [f.column for f in Bill._meta.concrete_fields][-1] == "paid_amount", "the bill's columns moved"
        return self._insert(Bill, PAID_AMOUNT.format(columns=", b.".join(names)))

    def _sp_charges(self) -> int:
        with transaction.atomic():
            self._bulk_session()
            return self._sql(f"""
            INSERT INTO arrears_spcharge (bill_id, sp_id, period, amount)
            SELECT b.id, s.sp_id, s.period, s.amount
                FROM {INBOX_SCHEMA}.arrears_spcharge s
                JOIN arrears_bill b ON b.line_id = s.line_id AND b.period = s.period
                ON CONFLICT DO NOTHING""")

    def _statuses(self) -> int:

        n = 0
        for items in _rows(
                f"SELECT s.line_id, l.customer_id, l.msisdn, s.to_status AS status, s.changed_at, s.reason "
                f"FROM {inbox_table(LineStatusChange)} s JOIN {Line._meta.db_table} l ON l.id = s.line_id "
                "ORDER BY s.changed_at, s.id", []):
            for item in items:
                item["line"] = _line(item)
            outcome = bulk.line_statuses_report_bulk(items=items, partial=True)
            n += len(outcome.results)
        return n

    @staticmethod
    def _some_jobs(day: date, only: str, totals: dict) -> None:
        """The night's jobs whose task names contain one of `only`, as replay._night runs them (Celery eager)."""


        wanted = [part.strip() for part in only.split(",") if part.strip()]
        saved = app.conf.task_always_eager, app.conf.task_eager_propagates
        app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
        try:
            app.loader.import_default_modules()
            for _, task in night_jobs(day):
                if any(part in task.task for part in wanted):
                    t0 = time.perf_counter()
                    app.tasks[task.task](**{**json.loads(task.kwargs or "{}"), "day": day.isoformat()})
                    totals.setdefault("jobs_s", {})[task.task] = time.perf_counter() - t0
                    print(f"    {task.task}: {time.perf_counter() - t0:.1f} s", flush=True)
        finally:
            app.conf.task_always_eager, app.conf.task_eager_propagates = saved
