"""Replay the generated province's inputs month by month through the intake services, running each month's
scheduled jobs in order (see customers/demo/replay.py)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from customers.demo.province import MAX_BILL_MONTHS
from customers.demo.replay import NoInbox, replay


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=MAX_BILL_MONTHS,
                            help="months to replay, ending with the current one (default %(default)s)")
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="the province's today YYYY-MM-DD (as generated; default today)")

    def handle(self, *args, months, today, **options):
        if not 1 <= months <= MAX_BILL_MONTHS + 1:
            raise CommandError(f"--months must be 1..{MAX_BILL_MONTHS + 1}")
        try:
            replay(months=months, today=today, log=self.stdout.write)
        except NoInbox as exc:
            raise CommandError(str(exc)) from exc
