from django.core.management import BaseCommand, call_command
from django.db.models import Count
from rest_framework.authtoken.models import Token

from arrears.models import LineAccount
from customers.demo.users import ensure_demo_users
from customers.models import Customer
from enterprise import demo as enterprise_demo
from marketing import demo as marketing_demo
from workspace import demo as workspace_demo


DEMO_NIGHT_MONTHS = 7


class Command(BaseCommand):
    help = ("Load a demo province when the database has no customers: generate its inputs, then replay its history "
            "month by month through the intake and the nightly jobs; make sure the demo users exist.")

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=42)
        # the history is 18 months; the nights of the last 7 (a half-year's guidance among them) keep ./run.sh quick,
        # the inputs before them go in as the initial load
        parser.add_argument("--months", type=int, default=DEMO_NIGHT_MONTHS, help="months of nights to replay")

    def handle(self, *args, customers, seed, months, **options):
        fresh = not Customer.objects.exists()
        if fresh:
            call_command("generate_province", customers=customers, seed=seed, stdout=self.stdout)
        else:
            self.stdout.write("Database already has customers; not generating a province.")
        users = ensure_demo_users()
        enterprise_demo.generate(seed=seed, stdout=self.stdout)  # the groups' inputs, before their nights run
        if fresh:
            call_command("replay_province", months=months, stdout=self.stdout)
            self._summary()
            workspace_demo.staff_day(stdout=self.stdout)  # today's work of the demo staff, through the services
        marketing_demo.generate(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo users (username / role / password):"))
        for username, role, password in users:
            self.stdout.write(f"  {username:<18} {role:<18} {password}")
        token = Token.objects.filter(user__username="billing_demo").values_list("key", flat=True).first()
        if token:
            self.stdout.write(f"Billing API token (billing_demo): {token}")

    def _summary(self):
        """What the replayed nights made of the inputs: stars, barring states."""
        stars = dict(Customer.objects.exclude(status="closed").values_list("credit_star").annotate(n=Count("id")))
        total = sum(stars.values()) or 1
        self.stdout.write("Stars (open customers): " + ", ".join(
            f"{'unrated' if s is None else f'{s}★'} {100 * n / total:.1f}%" for s, n in
            sorted(stars.items(), key=lambda kv: -1 if kv[0] is None else kv[0])))
        states = dict(LineAccount.objects.values_list("state").annotate(n=Count("line_id")))
        self.stdout.write("Line accounts: " + ", ".join(f"{state} {n:,}" for state, n in sorted(states.items())))
