import csv

from django.core.management import BaseCommand, CommandError
from django.db import transaction

from credit.services import legacy_grade_import
from customers.models import Customer


class Command(BaseCommand):
    help = "Import legacy nine-grade ratings (AAA…C) from a CSV with columns customer_id,grade; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path")

    @transaction.atomic
    def handle(self, *args, path, **options):
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        customers = Customer.objects.in_bulk([int(r["customer_id"]) for r in rows])
        for line, row in enumerate(rows, start=2):
            customer = customers.get(int(row["customer_id"]))
            if customer is None:
                raise CommandError(f"line {line}: unknown customer {row['customer_id']}")
            try:
                legacy_grade_import(customer=customer, grade=row["grade"])
            except ValueError as exc:
                raise CommandError(f"line {line}: {exc}") from exc
        self.stdout.write(f"imported {len(rows)} legacy grades")
