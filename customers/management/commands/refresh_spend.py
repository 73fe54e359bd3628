from django.core.management import BaseCommand
from django.utils import timezone

from core.tasks import dispatch_from_command


class Command(BaseCommand):
    help = "Recompute every customer's average monthly spend (set-based, chunked over Celery workers)."

    def add_arguments(self, parser):
        parser.add_argument("--period", default=None,
                            help="Run key, default today (YYYY-MM-DD); a period already done is a no-op")

    def handle(self, *args, period, **options):
        period = period or timezone.localdate().isoformat()
        run = dispatch_from_command("customers.refresh_spend", period)
        run.refresh_from_db()
        self.stdout.write(f"{run}: {run.done_chunks}/{run.total_chunks} chunks done, {run.rows_affected} rows, "
                          f"status {run.status}")
