"""Time the impact preview of a draft credit model over the province (target: under 60 s at 1M customers).

With --customers N the demo province of N customers is generated first when the database has none (seed 1).
The draft is a copy of the published model with every cut-off 5 points higher (so stars move); it is committed
(the parallel readers, one connection each, must see it) and deleted at the end with its previews.
"""

import time

from django.core.management import BaseCommand, CommandError, call_command
from credit.impact import WORKERS, impact_preview
from credit.models import ScoringModel, StarCutoff
from credit.services import published_model, scoring_model_copy
from customers.models import Customer


class Command(BaseCommand):
    help = "Time the credit model impact preview (a stricter copy of the running model) over all open customers."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=None,
                            help="generate a demo province of this size first when the database is empty")
        parser.add_argument("--repeat", type=int, default=2, help="runs (the first warms the cache)")
        parser.add_argument("--workers", type=int, default=WORKERS, help=f"parallel readers (default {WORKERS})")

    def handle(self, *args, customers=None, repeat=2, workers=WORKERS, **options):
        if customers and not Customer.objects.exists():
            call_command("generate_province", customers=customers, stdout=self.stdout)
        model = published_model()
        if model is None:
            raise CommandError("No published scoring model.")
        total = Customer.objects.count()
        timings = []
        draft = scoring_model_copy(model=model, by=None)
        try:
            for cutoff in StarCutoff.objects.filter(scoring_model=draft):
                cutoff.min_score += 5
                cutoff.save()
            for _ in range(max(1, repeat)):
                started = time.perf_counter()
                preview = impact_preview(model=draft, workers=workers)
                timings.append(time.perf_counter() - started)
        finally:
            ScoringModel.objects.filter(pk=draft.pk).delete()
        best = min(timings)
        self.stdout.write(f"{total:,} customers ({preview.customers:,} open): impact preview "
                          + ", ".join(f"{t:.1f} s" for t in timings)
                          + f" ({workers} workers); {preview.moved:,} would change star, granted credit "
                          f"{preview.credit_change} CNY")
        if total:
            self.stdout.write(f"linear extrapolation to 1,000,000 customers: {best / total * 1_000_000:.0f} s "
                              f"(target < 60 s)")
