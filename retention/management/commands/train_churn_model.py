"""Train the product churn model (voluntary churn, honest features) and register it as the challenger."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import BaseCommand, CommandError

from retention import churn_model, product, publication
from retention.management.commands.evaluate_retention import print_table


class Command(BaseCommand):
    help = ("Train the product churn model on scan dates (customer-level 5-fold hold-out; out-of-time on the last "
            "date when there are two or more; leakage check) and store it as the challenger; --publish asks for its "
            "publication, which a second officer approves (four eyes).")

    def add_arguments(self, parser):
        parser.add_argument("--scan-date", dest="scan_dates", action="append", required=True,
                            help="YYYY-MM-DD; repeat for several scan dates (the last one is the out-of-time one)")
        parser.add_argument("--horizon-days", type=int, default=product.HORIZON_DAYS)
        parser.add_argument("--per-manager-week", type=int, default=None, help="alert capacity per manager per week")
        parser.add_argument("--publish", action="store_true",
                            help="ask for its publication (--by, --reason): a different officer approves it on the "
                                 "four-eyes page before it becomes the champion")
        parser.add_argument("--by", default=None, help="username of the officer who asks")
        parser.add_argument("--reason", default="", help="why it should be published")
        parser.add_argument("--dry-run", action="store_true", help="report only, store nothing")

    def handle(self, *args, scan_dates, horizon_days, per_manager_week, publish, by, reason, dry_run, **options):
        try:
            dates = [date.fromisoformat(d) for d in scan_dates]
        except ValueError as exc:
            raise CommandError(f"Bad --scan-date: {exc}") from exc
        user = get_user_model().objects.filter(username=by).first() if by else None
        if publish and not dry_run and (user is None or not reason.strip()):
            raise CommandError("--publish asks a second officer: give --by (an existing user) and --reason")
        kw = {"per_manager_week": per_manager_week} if per_manager_week else {}
        try:
            report = product.churn_model_train(dates, horizon_days=horizon_days, store=not dry_run, **kw)
        except churn_model.LeakageError as exc:
            raise CommandError(f"Training refused: {exc}") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out = self.stdout.write
        out(f"scan dates {', '.join(str(d) for d in report.scan_dates)}; {report.customers:,} customer-dates, "
            f"{report.voluntary:,} voluntary and {report.involuntary:,} involuntary churners within "
            f"{horizon_days} days")
        out("features: " + ", ".join(report.features))
        out("voluntary churn, held-out customers (5 folds grouped by customer):")
        print_table(out, report.holdout)
        if report.out_of_time:
            out("voluntary churn, out of time (fitted on the earlier dates, scored on the last):")
            print_table(out, report.out_of_time)
        if report.involuntary_holdout:
            out("involuntary (arrears) churn, held-out customers:")
            print_table(out, report.involuntary_holdout)
        out(f"alert threshold: probability >= {report.alert_probability:.4f} ({report.threshold_basis})")
        if report.stored:
            out(f"stored as learned model v{report.stored.version}, challenger (scored nightly in shadow)")
            if publish:
                try:
                    request = publication.churn_model_publish_request(model=report.stored, by=user, reason=reason)
                except (ValidationError, PermissionDenied) as exc:
                    raise CommandError(f"publication not requested: {exc}") from exc
                out(f"publication requested (#{request.pk}): a second officer approves it on the four-eyes page")
