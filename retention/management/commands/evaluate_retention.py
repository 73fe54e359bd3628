from datetime import date

from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction

from retention import churn_model, features, product
from retention.batches import SCAN_CHUNK
from retention.evaluation import auc, score_outcome_counts
from retention.selectors import scan_config
from retention.sql import CUSTOMER_ID_RANGE


def _fmt(value) -> str:
    return "   n/a" if value is None else f"{value:.4f}"


def print_table(out, results: dict) -> None:
    out(f"  {'model':<22} {'ROC-AUC':>8} {'PR-AUC':>8} {'recall@top20%':>14}")
    for name, m in results.items():
        out(f"  {name:<22} {_fmt(m['roc_auc']):>8} {_fmt(m['pr_auc']):>8} {_fmt(m['recall_top20']):>14}")


class Command(BaseCommand):
    help = ("Evaluate churn prediction. --scan-date: the product model on honest features as of that date, on "
            "held-out customers (5 folds grouped by customer) beside logistic-regression and gradient-boosting "
            "baselines fitted in the same run on the same columns; voluntary and involuntary churn reported "
            "apart. --as-of: the weighted score's AUC for churn in that month. Read-only.")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-01, a past month (weighted score)")
        parser.add_argument("--scan-date", dest="scan_dates", action="append", default=None,
                            help="YYYY-MM-DD (repeatable): evaluate the product model as of these dates")
        parser.add_argument("--horizon-days", type=int, default=product.HORIZON_DAYS,
                            help="churn = a line closed within this many days after the scan date")

    def handle(self, *args, as_of=None, scan_dates=None, horizon_days=product.HORIZON_DAYS, **options):
        if scan_dates:
            return self._product(scan_dates, horizon_days)
        if not as_of:
            raise CommandError("Give --scan-date (product model) or --as-of (weighted score).")
        return self._weighted(as_of)

    def _product(self, scan_dates, horizon_days):
        try:
            dates = sorted(date.fromisoformat(d) for d in scan_dates)
        except ValueError as exc:
            raise CommandError(f"Bad --scan-date: {exc}") from exc
        out = self.stdout.write
        _, X, vol, inv, groups, _ = product.stacked(dates, horizon_days)
        names = features.feature_names()
        out(f"scan dates {', '.join(map(str, dates))}: {len(vol):,} customer-dates open, "
            f"{int(vol.sum()):,} voluntary and {int(inv.sum()):,} involuntary churners within {horizon_days} days")
        out(f"features ({len(names)}): {', '.join(names)}")
        known = ~inv
        try:
            aucs = churn_model.leakage_check(X[known], vol[known], names)
            out("single-feature AUC: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(aucs.items())))
            out("voluntary churn (retention's target), held-out customers, 5 folds grouped by customer:")
            results = product.churn_model_evaluate(X[known], vol[known], groups[known])
            print_table(out, results)
            best = max(v["roc_auc"] for k, v in results.items() if k != churn_model.PRODUCT)
            gap = results[churn_model.PRODUCT]["roc_auc"] - best
            out(f"product model vs best baseline: {gap:+.4f} ROC-AUC "
                f"({'within' if gap >= -0.01 else 'NOT within'} 0.01)")
            if inv.sum() >= churn_model.MIN_CHURNERS:
                out("involuntary churn (arrears closures, the credit side's), held-out customers:")
                print_table(out, product.churn_model_evaluate(X, inv, groups, with_baselines=False))
            else:
                out(f"involuntary churn: fewer than {churn_model.MIN_CHURNERS} arrears closures in the window, "
                    "not evaluated")
        except churn_model.LeakageError as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def _weighted(self, as_of):
        try:
            day = date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError(f"Bad date {as_of!r}: use YYYY-MM-DD") from exc
        with connection.cursor() as cur:
            cur.execute(CUSTOMER_ID_RANGE)
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
