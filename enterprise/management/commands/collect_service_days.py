from datetime import date

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from enterprise import services


class Command(BaseCommand):
    help = ("Collect the on-site service-day orders submitted since the last collection for the channel admins "
            "(Tuesdays and Thursdays; once per day).")

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="YYYY-MM-DD, default today")

    def handle(self, *args, day=None, **options):
        try:
            today = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"Bad date {day!r}: use YYYY-MM-DD") from exc
        try:
            collection = services.service_days_collect(today=today)
        except ValidationError as exc:
            raise CommandError("; ".join(m for ms in exc.message_dict.values() for m in ms)) from exc
        self.stdout.write(f"Collection of {collection.collected_on}: {collection.order_count} orders")
