from datetime import date

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from arrears.evaluation import EVALUATE_KIND
from core.tasks import dispatch_from_command


class Command(BaseCommand):
    help = ("Run (or resume) the nightly arrears evaluation for a date (default today): late fees, then the "
            "barring policy over every line. Apply-once per day.")

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="YYYY-MM-DD, default today")

    def handle(self, *args, day=None, **options):
        day = day or timezone.localdate().isoformat()
        try:
            date.fromisoformat(day)
        except ValueError as exc:
            raise CommandError(f"Bad date {day!r}: use YYYY-MM-DD") from exc
        run = dispatch_from_command(EVALUATE_KIND, day)
        run.refresh_from_db()
        self.stdout.write(f"{run}: {run.done_chunks}/{run.total_chunks} chunks, {run.rows_affected:,} lines changed "
                          f"state, status {run.status}")
