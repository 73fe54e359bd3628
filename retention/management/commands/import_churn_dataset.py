from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from retention import dataset_import

DEFAULT_MAPPING = Path(__file__).resolve().parents[2] / "datasets" / "ibm_telco.json"


class Command(BaseCommand):
    help = ("Load a churn data set (CSV, one row per customer) through the intake services with a mapping file "
            "(retention/datasets/*.json): customers and lines, plan fees, contracts, payment method, services held; "
            "churned rows become billing cancellations after the scan date.")

    def add_arguments(self, parser):
        parser.add_argument("csv")
        parser.add_argument("--mapping", default=str(DEFAULT_MAPPING))
        parser.add_argument("--scan-date", default=None, help="YYYY-MM-DD (default: 1st of the month 2 months ago)")
        parser.add_argument("--by", default=None, help="an administrator's username (migration imports need one)")

    def handle(self, *args, csv, mapping, scan_date, by, **options):
        for path in (csv, mapping):
            if not Path(path).is_file():
                raise CommandError(f"No such file: {path}")
        users = get_user_model().objects
        user = users.filter(username=by).first() if by else users.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            user = users.create_superuser(username="dataset-import", email="", password=None)
        try:
            scan = date.fromisoformat(scan_date) if scan_date else None
        except ValueError as exc:
            raise CommandError(f"Bad --scan-date: {exc}") from exc
        try:
            report = dataset_import.dataset_load(csv, dataset_import.mapping_read(mapping), by=user, scan=scan)
        except (dataset_import.MappingError, KeyError) as exc:
            raise CommandError(f"Mapping {mapping}: {exc}") from exc
        self.stdout.write(f"{report.rows:,} rows: {report.loaded:,} customers loaded, {report.skipped:,} already "
                          f"there, {len(report.refused):,} refused; {report.churned:,} cancellations posted "
                          f"after the scan date {report.scan_date}")
        for key, errors in list(report.refused.items())[:10]:
            self.stdout.write(f"  refused {key}: {errors}")
        self.stdout.write(f"evaluate with: manage.py evaluate_retention --scan-date {report.scan_date}")
