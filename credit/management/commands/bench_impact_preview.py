"""Time the impact preview of a draft credit model over the province (target: under 60 s at 1M customers).

With --customers N the demo province of N customers is generated first when the database has none (seed 1).
The draft is a copy of the published model with every cut-off 5 points higher (so stars move) and the customer
value factor when the running model lacks it (so the preview reads every factor source); it is committed (the
parallel readers, one connection each, must see it) and deleted at the end with its previews.

The floor, measured in the same run with the same chunks and parallel readers, is the least work PostgreSQL must
do for the same result: read once every input row the factors depend on (the open customers, their lines and
plans, 12 months of usage, bills and status changes, 6 months of payments, related contacts, the value deciles)
without grouping, scoring or comparing anything.
"""

import time

from django.core.management import BaseCommand, CommandError, call_command
from django.utils import timezone

from credit import scoring
from credit.choices import Feature
from credit.default_model import VALUE_DECILE_FACTOR
from credit.impact import WORKERS, impact_preview, chunks_read
from credit.models import Factor, FactorBin, ScoringModel, StarCutoff
from credit.services import scoring_model_copy
from credit.selectors import scoring_model_published
from credit.sql.impact import OPEN
from customers.models import Customer

FLOOR_SQL = f"""
    SELECT (SELECT count(*) FROM customers_customer c WHERE c.id >= %(lo)s AND c.id < %(hi)s AND {OPEN}),
           (SELECT count(p.monthly_fee) FROM customers_line l JOIN customers_plan p ON p.id = l.plan_id
            WHERE l.customer_id >= %(lo)s AND l.customer_id < %(hi)s),
           (SELECT count(bill_amount) FROM customers_usagesummary
            WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month >= %(since12)s),
           (SELECT count(paid_amount) FROM arrears_bill
            WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND period >= %(since12)s),
           (SELECT count(*) FROM customers_linestatuschange s JOIN customers_line l ON l.id = s.line_id
            WHERE l.customer_id >= %(lo)s AND l.customer_id < %(hi)s AND s.changed_at >= %(since12)s),
           (SELECT count(channel) FROM arrears_payment
            WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND paid_at >= %(since6)s),
           (SELECT count(*) FROM customers_relatedcontact WHERE customer_id >= %(lo)s AND customer_id < %(hi)s),
           (SELECT count(decile) FROM arrears_customervalue
            WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month = %(value_month)s)"""
FLOOR_INPUTS = ["open customers", "lines", "usage months", "bills", "status changes", "payments", "contacts",
                "value deciles"]


def floor(today, workers: int) -> tuple[float, list[int]]:
    def statement(lo, hi):
        params = {"lo": lo, "hi": hi, **scoring.window_params(today)}
        return FLOOR_SQL, params

    started = time.perf_counter()
    # through the id-range indexes, as the preview reads them: a chunk is 5 % of a table, and the planner's
    # parallel full scans of the 17M-row usage and payment tables are no floor (measured: 94 s at 1M)
    rows = chunks_read(statement, workers, settings=("enable_seqscan = off",))
    return time.perf_counter() - started, [sum(r[i] for r in rows) for i in range(len(FLOOR_INPUTS))]


def stricter_copy(model: ScoringModel) -> ScoringModel:
    draft = scoring_model_copy(model=model, by=None)
    for cutoff in StarCutoff.objects.filter(scoring_model=draft):
        cutoff.min_score += 5
        cutoff.save()
    if not draft.factors.filter(feature=Feature.VALUE_DECILE).exists():
        dimension, feature, weight, bins = VALUE_DECILE_FACTOR
        factor = Factor.objects.create(scoring_model=draft, dimension=dimension, feature=feature, weight=weight)
        for lower, upper, points in bins:
            FactorBin.objects.create(factor=factor, lower=lower, upper=upper, points=points)
    return draft


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
        model = scoring_model_published()
        if model is None:
            raise CommandError("No published scoring model.")
        total = Customer.objects.count()
        today = timezone.localdate()
        timings, floors = [], []
        draft = stricter_copy(model)
        factors = draft.factors.count()
        try:
            for _ in range(max(1, repeat)):
                seconds, inputs = floor(today, workers)
                floors.append(seconds)
                started = time.perf_counter()
                preview = impact_preview(model=draft, workers=workers, today=today)
                timings.append(time.perf_counter() - started)
        finally:
            ScoringModel.objects.filter(pk=draft.pk).delete()
        best, best_floor = min(timings), min(floors)
        w = self.stdout.write
        w(f"{total:,} customers ({preview.customers:,} open), draft with {factors} factors, "
          f"{workers} parallel readers")
        w("inputs read: " + ", ".join(f"{name} {n:,}" for name, n in zip(FLOOR_INPUTS, inputs, strict=True)))
        w("impact preview: " + ", ".join(f"{t:.1f} s" for t in timings)
          + f"; {preview.moved:,} would change star, granted credit {preview.credit_change} CNY")
        w("floor (read every input row once): " + ", ".join(f"{t:.1f} s" for t in floors))
        w(f"best preview {best:.1f} s = {best / best_floor:.1f}x the floor ({best_floor:.1f} s)")
        if total:
            w(f"linear extrapolation to 1,000,000 customers: {best / total * 1_000_000:.0f} s (target < 60 s)")
