"""Time of the nightly retention scan against a set-based SQL floor, in one run.

Runs the scan chunk by chunk in this process (one worker) over the first --customers customers,
twice: the 1st of --date's month (the first night of a month computes and caches every customer's usage
signals; in a fresh database it also brings every lifecycle stage current) and the 2nd (a steady night:
usage signals from the cache, few stages change, open alerts are kept),
then the floor: reading and aggregating the same inputs once (the chunk's customers, 12 months of
usage per customer and month with the columns the signals use, overdue bills, dual-SIM devices, open
lines, the members' enterprise agreements and leavers) over the same chunks, serially as the scan runs,
without the signal logic, scoring or writes. Everything runs inside a transaction that is rolled
back, so the benchmark leaves no scores or alerts behind.
"""

import time
from datetime import date, timedelta

from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from retention.batches import SCAN_CHUNK, scan_chunk
from retention.learned import active_model
from retention.signals import window_params
from retention.sql import JIT_OFF, NO_PARALLEL_WORKERS
from retention.sql.bench import CUSTOMER_ID_END, FIRST_CUSTOMER_ID, FLOOR_SQL, NTH_CUSTOMER_ID

class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1_000_000)
        parser.add_argument("--date", dest="day", help="scan date YYYY-MM-DD, default today")
        parser.add_argument("--chunk", type=int, default=SCAN_CHUNK)

    def handle(self, *args, customers, day=None, chunk, **options):
        today = _day(day) if day else timezone.localdate()
        with connection.cursor() as cur:
            cur.execute(NTH_CUSTOMER_ID, [customers - 1])
            row = cur.fetchone()
            cur.execute(FIRST_CUSTOMER_ID)
            first = cur.fetchone()[0]
        if first is None:
            raise CommandError("No customers: run generate_province first.")
        last = row[0] + 1 if row else None
        if last is None:
            with connection.cursor() as cur:
                cur.execute(CUSTOMER_ID_END)
                last = cur.fetchone()[0]
        ranges = [(lo, min(lo + chunk, last)) for lo in range(first, last, chunk)]
        model = active_model()
        self.stdout.write(f"scan date {today}, customers id [{first}, {last}), {len(ranges)} chunks of {chunk:,}; "
                          f"alerts by {model.label + ' (predicted per chunk)' if model else 'the weighted score'}")
        try:
            with transaction.atomic():
                params = window_params(today, cooldown_days=0)
                self._floor(ranges, params)  # warm the cache so that the timings below read the same pages
                first_day = today.replace(day=1)  # usage signals computed and cached for the month
                first, first_opened = self._scan(ranges, first_day)
                night, opened = self._scan(ranges, first_day + timedelta(days=1))  # read from the cache
                start = time.perf_counter()
                self._floor(ranges, params)
                floor = time.perf_counter() - start
                raise Rollback
        except Rollback:
            pass
        w = self.stdout.write
        w(f"first night of the month: {first:6.2f} s ({first_opened:,} alerts; usage signals computed and cached "
          f"for the month; here also every lifecycle stage brought current) = {first / floor:.2f}x the floor")
        w(f"a steady night:           {night:6.2f} s ({opened:,} new alerts; usage signals from the cache, "
          f"recomputed only where usage was written) = {night / floor:.2f}x the floor")
        w(f"floor:                    {floor:6.2f} s (the same inputs read and aggregated from scratch, no signal "
          f"logic or writes)")
        w(f"a month of 30 nights:     {first + 29 * night:6.0f} s (target: a night within 1.5x the floor)")

    @staticmethod
    def _scan(ranges, day) -> tuple[float, int]:
        start = time.perf_counter()
        opened = sum(scan_chunk(lo, hi, day) for lo, hi in ranges)
        return time.perf_counter() - start, opened

    @staticmethod
    def _floor(ranges, params):
        with connection.cursor() as cur:
            cur.execute(JIT_OFF)  # as in the scan
            # Serial, as the scan's statement is (a data-modifying statement never runs in parallel): a
            # parallel floor would measure two extra processes against one.
            cur.execute(NO_PARALLEL_WORKERS)
            for lo, hi in ranges:
                cur.execute(FLOOR_SQL, {**params, "lo": lo, "hi": hi})


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Bad date {value!r}: use YYYY-MM-DD") from exc
