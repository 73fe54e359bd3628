"""Generate a realistic synthetic Hunan province (DOMAIN.md §10): see customers/demo/."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from customers.demo.province import MAX_BILL_MONTHS, AlreadyPopulated, generate
from customers.demo.users import DEMO_PASSWORD, DEMO_USERS


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "Generate a synthetic province: customers, lines, 12 months of usage, bills, payments and more."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, required=True, help="number of customers, e.g. 1000000")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data")
        parser.add_argument("--wipe", action="store_true", help="first empty all demo tables and generated staff")
        parser.add_argument("--today", type=_date, default=None,
                            help="anchor date YYYY-MM-DD (default: today in Asia/Shanghai)")
        parser.add_argument("--bill-months", type=int, default=MAX_BILL_MONTHS,
                            help=f"complete months of bills and payments, 1..{MAX_BILL_MONTHS} (default %(default)s)")

    def handle(self, *args, customers, seed, wipe, today, bill_months, **options):
        if customers < 1:
            raise CommandError("--customers must be at least 1")
        today = today or datetime.now(ZoneInfo("Asia/Shanghai")).date()
        try:
            generate(n_customers=customers, seed=seed, today=today, wipe_first=wipe, bill_months=bill_months,
                     log=self.stdout.write)
        except AlreadyPopulated as exc:
            raise CommandError(f"{exc} Re-run with --wipe to replace all demo data.") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("demo logins:")
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:18} {role:18} {DEMO_PASSWORD}")
