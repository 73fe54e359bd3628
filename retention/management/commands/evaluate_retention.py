from datetime import date

from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction

from retention.batches import SCAN_CHUNK
from retention.evaluation import auc, score_outcome_counts
from retention.selectors import scan_config


class Command(BaseCommand):
    help = "AUC of the weighted churn score (as of the 1st of a past month) for churn during that month. Read-only."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-01, a past month")

    def handle(self, *args, as_of, **options):
        try:
            day = date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError(f"Bad date {as_of!r}: use YYYY-MM-DD") from exc
        with connection.cursor() as cur:
            cur.execute("SELECT min(id), max(id) + 1 FROM customers_customer")
            first, last = cur.fetchone()
        if first is None:
            raise CommandError("No customers.")
        counts = []
        with transaction.atomic():  # SET LOCAL needs a transaction; nothing is written
            for lo in range(first, last, SCAN_CHUNK):
                counts += score_outcome_counts(lo, min(lo + SCAN_CHUNK, last), day, scan_config().signals)
        churned = sum(n for _, positive, n in counts if positive)
        total = sum(n for *_, n in counts)
        value = auc(counts)
        self.stdout.write(f"as of {day:%Y-%m-01}: {total:,} open customers, {churned:,} churned that month")
        self.stdout.write(f"weighted score AUC: {value:.3f}" if value is not None else "AUC undefined (one class)")
