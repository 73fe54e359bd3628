from django.core.management import BaseCommand, CommandError

from core.tasks import dispatch_from_command
from credit.batches import BASE_KIND, GUIDANCE_KIND, period_anchor
from credit.tasks import current_period

KINDS = {"base": BASE_KIND, "guidance": GUIDANCE_KIND}


class Command(BaseCommand):
    help = "Run (or resume) a credit rating run: base (monthly, YYYY-MM) or guidance (half-yearly, YYYY-H1/H2)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--period", help="default: the current month / half-year")

    def handle(self, *args, kind, period, **options):
        batch_kind = KINDS[kind]
        period = period or current_period(batch_kind)
        try:
            period_anchor(period)
        except ValueError as exc:
            raise CommandError(f"Bad period {period!r}: use YYYY-MM or YYYY-H1/H2") from exc
        run = dispatch_from_command(batch_kind, period)
        run.refresh_from_db()
        self.stdout.write(f"{run}: {run.done_chunks}/{run.total_chunks} chunks, {run.rows_affected:,} customers "
                          f"changed, status {run.status}")
