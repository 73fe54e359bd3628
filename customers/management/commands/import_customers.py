"""Import customers moved over from a legacy system, keeping their original join dates.

The one path that may set a join date other than today: it runs the onboarding service with a migration
import (an administrator's, with a reason), so every other control still applies and each customer's history
says who imported them, when and why."""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from customers.api.serializers import CustomerOnboardSerializer
from customers.services import MigrationImport, customer_onboard


class Command(BaseCommand):
    help = ("Onboard customers from a JSON-lines file (one onboarding record a line, as POST /api/customers/ "
            "takes it, with its legacy join_date), as a migration import by an administrator.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON lines, UTF-8")
        parser.add_argument("--by", required=True, help="username of the administrator doing the import")
        parser.add_argument("--reason", required=True, help="why, e.g. the migration batch; kept in the history")

    def handle(self, *args, path, by, reason, **options):
        user = get_user_model().objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {by}.")
        imported, failed = 0, 0
        with open(path, encoding="utf-8") as rows:
            for number, raw in enumerate(rows, start=1):
                if not raw.strip():
                    continue
                errors = self._import(json.loads(raw), user=user, reason=reason)
                if errors:
                    failed += 1
                    self.stderr.write(f"line {number}: {errors}")
                else:
                    imported += 1
        self.stdout.write(f"Imported {imported} customers; {failed} refused.")
        if failed:
            raise CommandError(f"{failed} records were refused (see above); the others are imported.")

    @staticmethod
    def _import(record: dict, *, user, reason: str) -> dict | None:
        body = CustomerOnboardSerializer(data=record)
        if not body.is_valid():
            return body.errors
        data = body.to_onboarding_data()
        if data.join_date is None:
            return {"join_date": ["A migration import carries the legacy join date."]}
        migration = MigrationImport(join_date=data.join_date, reason=reason)
        data.join_date = None
        try:
            customer_onboard(data=data, by=user, migration=migration)
        except ValidationError as e:
            return e.message_dict
        return None
