"""Bulk intake end to end: N-item posts of payments, bills, usage, line status and onboarding through the API
(Django test client, the whole stack: auth, Idempotency-Key, validation, the set-based services), beside a floor
that inserts the same rows in one statement, measured in the same run. Needs a province (setup_demo or
generate_province); everything is rolled back at the end, so the database is left as it was (the tables it
writes are vacuumed before each run: a run's rolled-back rows are dead rows until then).

    manage.py bench_bulk_intake --items 10000
"""

import cProfile
import io
import json
import os
import pstats
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from arrears.sql.bench import (FLOOR_BILLS, FLOOR_BILLS_ROWS, FLOOR_CUSTOMERS, FLOOR_CUSTOMERS_ROWS,
                                FLOOR_LINE_STATUS, FLOOR_LINE_STATUS_ROWS, FLOOR_PAYMENTS, FLOOR_PAYMENTS_ROWS,
                                FLOOR_USAGE, FLOOR_USAGE_ROWS, VACUUM_WRITTEN)
from customers.bulk_types import array_cursor
from customers.models import Channel, Line
from customers.policies import id_check_char


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=10_000, help="items per post (at most 10,000)")
        parser.add_argument("--only", nargs="*", default=None, help="these intakes only (e.g. bills usage)")
        parser.add_argument("--profile", action="store_true",
                            help="cProfile each post and print its 25 costliest calls (cumulative)")
        parser.add_argument("--queries", action="store_true", help="print each post's SQL statements and their time")
        parser.add_argument("--repeat", type=int, default=1,
                            help="runs (each rolled back); the best and the median run of each intake are printed")

    def handle(self, *args, items, only=None, profile=False, queries=False, repeat=1, **options):
        from customers.demo.users import ensure_demo_users

        if not 1 <= items <= 10_000:
            raise CommandError("--items must be 1..10,000 (one bulk post)")
        ensure_demo_users()
        token = Token.objects.filter(user__username="billing_demo").values_list("key", flat=True).first()
        lines = list(Line.objects.filter(status="active").select_related("customer", "plan__brand")
                     .order_by("id")[:items])
        if len(lines) < items:
            raise CommandError(f"Needs {items:,} active lines; run setup_demo or generate_province first.")
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        rows = []
        for _ in range(max(repeat, 1)):
            _vacuum()
            rows += self._run(client, lines, items, only, profile, queries)
        # two floors: "floor" inserts the main table's rows in one statement; "rows floor" writes every row the post's
        # answer consists of (its ledger entries, allocations, accounts, barring moves, history...) in one statement
        self.stdout.write(f"{'intake':12} {'items':>7} {'run':>6} {'API s':>7} {'SQL s':>7} {'Py CPU s':>8} "
                          f"{'items/s':>9} {'floor s':>8} {'ratio':>6} {'rows fl s':>9} {'ratio':>6}")
        for name in dict.fromkeys(name for name, *_ in rows):
            runs = sorted((row for row in rows if row[0] == name), key=lambda row: row[1])  # by API time
            picks = {"best": runs[0], "median": runs[(len(runs) - 1) // 2]} if len(runs) > 1 else {"": runs[0]}
            for label, (_, api, sql, cpu, bare, _db, _fcpu, same, _scpu) in picks.items():
                self.stdout.write(f"{name:12} {items:7,} {label:>6} {api:7.2f} {sql:7.2f} {cpu:8.2f} "
                                  f"{items / api:9,.0f} {bare:8.2f} {api / bare:6.1f} {same:9.2f} {api / same:6.1f}")
        if any(row[5] is None for row in rows):
            return
        # CPU spent, by this process and by its PostgreSQL backend (the server's own process CPU: apart from the waits
        # for a core that a shared machine's load adds to wall time; parallel workers' CPU is not counted)
        # (the median run's, and the least of each: under a varying load the least is the steadier figure)
        self.stdout.write(f"CPU (process + backend): {'intake':12} {'run':>6} {'post s':>7} {'floor s':>8} "
                          f"{'items/CPU s':>11} {'ratio':>6} {'rows fl s':>9} {'ratio':>6}")
        for name in dict.fromkeys(name for name, *_ in rows):
            spent = sorted((row[3] + row[5], row[6], row[8]) for row in rows if row[0] == name)
            least = (spent[0][0], min(s[1] for s in spent), min(s[2] for s in spent))
            for label, (post, floor, same) in (("median", spent[(len(spent) - 1) // 2]), ("least", least)):
                self.stdout.write(f"{'':24} {name:12} {label:>6} {post:7.2f} {floor:8.2f} {items / post:11,.0f} "
                                  f"{post / floor:6.1f} {same:9.2f} {post / same:6.1f}")

    def _run(self, client, lines, items, only, profile, queries) -> list[tuple]:
        """One post of each intake with its floor in the same run, all rolled back:
        [(name, API s, SQL s, Python CPU s, floor s, backend CPU s, floor CPU s, rows floor s, rows floor CPU s)]
        (the backend's CPU None where its process cannot be read)."""
        rows = []
        try:
            with transaction.atomic():
                for name, url, body, floor, same_rows in self._cases(lines, items):
                    if only and name not in only:
                        continue
                    # the "same rows" floor first, on the state the post starts from (it writes the rows the post
                    # will: the same barring moves, the same line status changes), rolled back before the post
                    same, same_cpu = _timed_floor(same_rows)
                    text = json.dumps(body)  # the client's encoding of its request is not the server's CPU
                    profiler = cProfile.Profile() if profile else None
                    timed = []
                    db = _backend_cpu()
                    cpu = time.process_time()  # this process's CPU (Python): under a shared load, apart from waits
                    started = time.perf_counter()
                    if profiler:
                        profiler.enable()
                    with connection.execute_wrapper(_timer(timed)):  # the post's SQL time, beside its whole time
                        response = client.post(url, text, content_type="application/json", secure=True,
                                               HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
                    api = time.perf_counter() - started
                    cpu = time.process_time() - cpu
                    db = _backend_cpu() - db if db is not None else None
                    if profiler:
                        profiler.disable()
                        report = io.StringIO()
                        stats = pstats.Stats(profiler, stream=report)
                        stats.sort_stats("cumulative").print_stats(r"/(arrears|customers|core|credit)/(?!api/)", 30)
                        stats.sort_stats("tottime").print_stats(int(os.environ.get("BENCH_TOP", 15)))
                        self.stdout.write(f"--- {name}\n{report.getvalue()}")
                    if queries:
                        self.stdout.write(f"--- {name}: {len(timed)} statements, {sum(t for t, _ in timed):.3f} s")
                        for spent, sql in timed:
                            self.stdout.write(f"{spent:7.3f}  {' '.join(sql.split())[:150]}")
                    answer = response.json()
                    if response.status_code not in (200, 201) or answer.get("posted", answer.get("onboarded")) != items:
                        raise CommandError(f"{name}: {response.status_code} {response.content[:500]!r}")
                    bare, floor_cpu = _timed_floor(floor)
                    rows.append((name, api, sum(spent for spent, _ in timed), cpu, bare, db, floor_cpu, same, same_cpu))
                raise Rollback
        except Rollback:
            pass
        return rows

    def _cases(self, lines, n):
        today = timezone.localdate()
        month = today.replace(day=1)
        now = timezone.now()
        tag = uuid.uuid4().hex[:8]
        numbers = [ln.msisdn for ln in lines]

        def column(items, key, convert=lambda value: value):  # one field of the items as the floor's array
            return [convert(item[key]) for item in items]
        payments = [{"msisdn": ln.msisdn, "amount": "30.00", "paid_at": now.isoformat(), "channel": "counter",
                     "reference": f"bench-{tag}-{i}"} for i, ln in enumerate(lines)]
        yield "payments", "/api/billing/payments/bulk/", {"items": payments}, lambda: _floor(
            FLOOR_PAYMENTS,
            [numbers, column(payments, "amount", Decimal), [now] * n, column(payments, "channel"),
             [f"floor-{tag}-{i}" for i in range(n)]]), lambda: _floor(FLOOR_PAYMENTS_ROWS, {
                 "msisdn": numbers, "amount": column(payments, "amount", Decimal), "paid_at": [now] * n,
                 "channel": column(payments, "channel"), "reference": [f"floor-{tag}-{i}" for i in range(n)],
                 "today": today, "now": now, "tag": tag})
        bills = [{"msisdn": ln.msisdn, "period": f"{month:%Y-%m}", "amount": "58.00",
                  "due_date": f"{month + timedelta(days=49):%Y-%m-%d}"} for ln in lines]
        yield "bills", "/api/billing/bills/bulk/", {"items": bills}, lambda: _floor(
            FLOOR_BILLS,
            [numbers, [month - timedelta(days=400)] * n, column(bills, "amount", Decimal),
             [month + timedelta(days=49)] * n]), lambda: _floor(FLOOR_BILLS_ROWS, {
                 "msisdn": numbers, "period": [month] * n, "amount": column(bills, "amount", Decimal),
                 "due_date": [month + timedelta(days=49)] * n, "today": today, "now": now, "tag": tag})
        usage = [{"msisdn": ln.msisdn, "month": f"{month:%Y-%m}", "voice_minutes": 300, "data_mb": 4096,
                  "sms_count": 9, "competitor_hotline_calls": 0, "plan_saturation": "71.00",
                  "broadband_bundled": False, "bill_amount": "58.00", "prepaid_balance": "12.00"} for ln in lines]
        # the floors write a month long past (the post's month may already hold rows: the post upserts)
        figures = [column(usage, "voice_minutes"), column(usage, "data_mb"), column(usage, "sms_count"),
                   column(usage, "competitor_hotline_calls"), column(usage, "plan_saturation", Decimal),
                   column(usage, "broadband_bundled"), column(usage, "bill_amount", Decimal),
                   column(usage, "prepaid_balance", Decimal)]
        usage_floor = lambda: _floor(  # noqa: E731
            FLOOR_USAGE, [numbers, [month - timedelta(days=800)] * n, *figures])
        usage_rows = lambda: _floor(  # noqa: E731
            FLOOR_USAGE_ROWS, {"msisdn": numbers, "month": [month - timedelta(days=800)] * n,
                               **dict(zip(("voice", "data", "sms", "hotline", "saturation", "broadband", "bill",
                                           "prepaid"), figures, strict=True))})
        yield "usage", "/api/billing/usage/bulk/", {"items": usage}, usage_floor, usage_rows
        status = [{"msisdn": ln.msisdn, "status": "one_way_barred", "changed_at": now.isoformat(),
                   "reason": "network barring"} for ln in lines]
        yield "line-status", "/api/billing/line-status/bulk/", {"items": status}, lambda: _floor(
            FLOOR_LINE_STATUS, [numbers, column(status, "status"), [now] * n, column(status, "reason")]), \
            lambda: _floor(FLOOR_LINE_STATUS_ROWS, {"msisdn": numbers, "now": now})
        channel = Channel.objects.filter(region_id=lines[0].customer.region_id).first() or Channel.objects.first()
        people = []
        for i in range(n):
            first17 = f"430199{(today - timedelta(days=8000 + i // 1000)).strftime('%Y%m%d')}{i % 1000:03d}"
            people.append({"name": "压测客户", "id_number": first17 + id_check_char(first17),
                           "msisdn": f"1990{tag_digits(tag)}{i:05d}"[:11], "region": lines[0].customer.region.code,
                           "brand": lines[0].plan.brand.code, "plan": lines[0].plan.code,
                           "acquiring_channel": channel.code, "policy_explained": True})
        yield "onboarding", "/api/customers/bulk/", {"items": people}, lambda: _floor(
            FLOOR_CUSTOMERS,
            [lines[0].customer.region_id, lines[0].plan.brand_id, channel.pk,
             [f"F{tag}{i:09d}" for i in range(n)]]), lambda: _floor(FLOOR_CUSTOMERS_ROWS, {
                 "id_number": [f"G{tag}{i:09d}" for i in range(n)],
                 "msisdn": [f"1991{tag_digits(tag)}{i:05d}"[:11] for i in range(n)],
                 "region": lines[0].customer.region_id, "brand": lines[0].plan.brand_id, "channel": channel.pk,
                 "plan": lines[0].plan_id, "today": today, "now": now})


def _vacuum() -> None:
    """The tables a run writes (and rolls back) vacuumed before each run (arrears.sql.bench.WRITTEN)."""
    with connection.cursor() as cur:
        cur.execute(VACUUM_WRITTEN)


def _backend_cpu() -> float | None:
    """CPU seconds (user + system) of this connection's PostgreSQL backend process so far, from /proc (a server on
    this machine); None where it cannot be read."""
    try:
        with open(f"/proc/{connection.connection.info.backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, AttributeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timer(timed: list):
    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - started, sql))
    return wrapper


def tag_digits(tag: str) -> str:
    return f"{int(tag, 16) % 100:02d}"


def _floor(sql: str, params) -> None:
    """A floor's one statement: a dict of parameters (the "same rows" floors) as the pipeline sends them (lists as
    array text, customers.bulk_types.array_cursor); a list (the one-table floors) through psycopg's own dumpers."""
    with (array_cursor() if isinstance(params, dict) else connection.cursor()) as cur:
        cur.execute(sql, params)


def _timed_floor(floor) -> tuple[float, float]:
    """(wall s, CPU s of this process and its backend) of one floor, its rows rolled back with its savepoint."""
    with transaction.atomic():
        floor_db, floor_cpu = _backend_cpu(), time.process_time()
        started = time.perf_counter()
        floor()
        bare = time.perf_counter() - started
        floor_cpu = time.process_time() - floor_cpu + (_backend_cpu() - floor_db if floor_db is not None else 0)
        transaction.set_rollback(True)
    return bare, floor_cpu
