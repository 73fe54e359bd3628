"""Base for the management commands that run (or resume) a nightly batch for a date."""

from datetime import date

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from core.tasks import dispatch_from_command


class DatedBatchCommand(BaseCommand):
    kind = ""  # the batch kind
    rows_are = "rows"  # what the run's row count means, for the summary line

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="YYYY-MM-DD, default today")

    def handle(self, *args, day=None, **options):
        day = day or timezone.localdate().isoformat()
        try:
            date.fromisoformat(day)
        except ValueError as exc:
            raise CommandError(f"Bad date {day!r}: use YYYY-MM-DD") from exc
        run = dispatch_from_command(self.kind, day)
        run.refresh_from_db()
        self.stdout.write(f"{run}: {run.done_chunks}/{run.total_chunks} chunks, {run.rows_affected:,} "
                          f"{self.rows_are}, status {run.status}")
