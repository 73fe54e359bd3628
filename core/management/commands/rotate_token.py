from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from core.tokens import token_rotate


class Command(BaseCommand):
    help = "Give a service account a new API token; the old one stops working at once. Prints the new key."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}")
        self.stdout.write(token_rotate(user=user).key)
