"""Generate a province and replay its history, timed: the issue's "1M customers generated and replayed in under
10 minutes on 2 cores" (a benchmark, not a test; the lead runs it at 1M, helpers at most at 100k).

    manage.py bench_province --customers 100000 [--months 18]

Wipes the demo tables first. Prints the generation, the replay (intake and each job) and the total.
"""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from customers.demo.province import MAX_BILL_MONTHS, generate
from customers.demo.replay import replay


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, required=True)
        parser.add_argument("--months", type=int, default=MAX_BILL_MONTHS, help="months of nights to replay")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, customers, months, seed, **options):
        if customers < 1:
            raise CommandError("--customers must be at least 1")
        quiet = lambda *_: None  # noqa: E731 - the loaders' per-table lines are not the figure
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        started = time.perf_counter()
        generate(n_customers=customers, seed=seed, today=today, wipe_first=True, log=quiet)
        generated = time.perf_counter() - started
        totals = replay(months=months, today=today, log=quiet)
        total = time.perf_counter() - started
        self.stdout.write(f"customers {customers:,}: generated in {generated:.1f} s, replayed {months} months in "
                          f"{totals['seconds']:.1f} s ({totals['items']:,} inputs, {totals['refused']:,} refused, "
                          f"{totals['nights']} nights), total {total:.1f} s")
        self.stdout.write(f"  intake {totals.get('intake_s', 0):.1f} s "
                          f"({totals['items'] / max(totals.get('intake_s', 0), 1e-9):,.0f} items/s)")
        for name, seconds in sorted(totals.get("jobs_s", {}).items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {name:50} {seconds:8.1f} s")
