from datetime import date

from django.core.management import BaseCommand, CommandError

from retention import learned
from retention.selectors import scan_config


def _fmt(value) -> str:
    return "n/a (one class)" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = ("Train a learned churn model on one past month, validate it on a later month it never saw, and "
            "keep it (active) only if its AUC there beats the weighted score's.")

    def add_arguments(self, parser):
        parser.add_argument("--train-as-of", dest="train_as_of", required=True, help="YYYY-MM-01")
        parser.add_argument("--validate-as-of", dest="validate_as_of", required=True,
                            help="YYYY-MM-01, later than --train-as-of, its month over")
        parser.add_argument("--sample", type=int, default=learned.DEFAULT_SAMPLE,
                            help=f"most customers to train on (stratified), default {learned.DEFAULT_SAMPLE:,}")
        parser.add_argument("--dry-run", action="store_true", help="report only: store no model (read-only)")

    def handle(self, *args, train_as_of, validate_as_of, sample, dry_run=False, **options):
        days = []
        for name, value in (("--train-as-of", train_as_of), ("--validate-as-of", validate_as_of)):
            try:
                days.append(date.fromisoformat(value))
            except ValueError as exc:
                raise CommandError(f"Bad date for {name}: {value!r}, use YYYY-MM-01") from exc
        if sample < 100:
            raise CommandError("--sample must be at least 100")
        errors = learned.month_errors(*days)
        if errors:
            raise CommandError("; ".join(errors))
        try:
            config = scan_config()
            report = learned.learned_model_train(*days, sample=sample, signal_defs=config.signals,
                                                 alert_threshold=config.alert_threshold, store=not dry_run)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out = self.stdout.write
        out(f"train as of {report.train_as_of}: {report.train_customers:,} open customers, "
            f"{report.train_churned:,} churned that month; sample {report.sample:,}")
        out(f"validate as of {report.validate_as_of}: {report.validation_customers:,} open customers, "
            f"{report.validation_churned:,} churned that month (outcomes never seen in training)")
        out("learner selection AUC (held-out 25% of the training month): "
            + ", ".join(f"{k} {_fmt(v)}" for k, v in report.selection_auc.items()))
        out("validation AUC: " + ", ".join(f"{k} {_fmt(v)}" for k, v in report.validation_auc.items()))
        out(f"weighted model AUC: {_fmt(report.validation_auc['weighted'])}; "
            f"learned model ({report.chosen}) AUC: {_fmt(report.validation_auc[report.chosen])}")
        if report.beats_weighted:
            out(f"alert threshold: churn probability >= {report.alert_probability:.4f} (as many alerts on the "
                f"validation month as the weighted score's)")
        if report.stored:
            out(f"used: learned model — stored as {report.stored} and made active; the nightly scan now alerts "
                f"by it")
        elif report.beats_weighted:
            out(f"used: learned model ({report.chosen}) — it beats the weighted one; not stored (--dry-run)")
        else:
            out("used: weighted model — the learned model did not beat it; nothing stored")
        out("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items())
            + f"; total {sum(report.timings.values()):.1f} s")
