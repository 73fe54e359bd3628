from datetime import date

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from core.tasks import dispatch_from_command
from retention.batches import SCAN_KIND


class Command(BaseCommand):
    help = "Run (or resume) the nightly retention scan for a date (default today): scores, then alerts."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="YYYY-MM-DD, default today")

    def handle(self, *args, day=None, **options):
        day = day or timezone.localdate().isoformat()
        try:
            date.fromisoformat(day)
        except ValueError as exc:
            raise CommandError(f"Bad date {day!r}: use YYYY-MM-DD") from exc
        run = dispatch_from_command(SCAN_KIND, day)
        run.refresh_from_db()
        self.stdout.write(f"{run}: {run.done_chunks}/{run.total_chunks} chunks, {run.rows_affected:,} alerts opened, "
                          f"status {run.status}")
