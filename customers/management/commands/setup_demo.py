from django.core.management import BaseCommand, call_command

from rest_framework.authtoken.models import Token

from customers.models import Customer
from enterprise import demo as enterprise_demo
from marketing import demo as marketing_demo


class Command(BaseCommand):
    help = "Load a demo province when the database has no customers, and make sure the demo users exist."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, customers, seed, **options):
        from customers.demo.users import ensure_demo_users

        if Customer.objects.exists():
            self.stdout.write("Database already has customers; not generating a province.")
        else:
            call_command("generate_province", customers=customers, seed=seed, stdout=self.stdout)
            self._evaluate_arrears()
            self._sp_charges()
        users = ensure_demo_users()
        enterprise_demo.generate(seed=seed, stdout=self.stdout)
        marketing_demo.generate(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo users (username / role / password):"))
        for username, role, password in users:
            self.stdout.write(f"  {username:<18} {role:<18} {password}")
        token = Token.objects.filter(user__username="billing_demo").values_list("key", flat=True).first()
        if token:
            self.stdout.write(f"Billing API token (billing_demo): {token}")

    def _sp_charges(self):
        from arrears.demo import generate_sp_charges

        self.stdout.write(f"SP charges: {generate_sp_charges():,} on the demo bills")

    def _evaluate_arrears(self):
        """Tonight's arrears run, so the demo opens with line accounts, barring states and a collection queue."""
        from django.db.models import Count
        from django.utils import timezone

        from arrears.evaluation import evaluate_in_process
        from arrears.models import LineAccount

        changed = evaluate_in_process(timezone.localdate())
        states = dict(LineAccount.objects.values_list("state").annotate(n=Count("line_id")))
        self.stdout.write(f"Arrears evaluated: {changed:,} lines changed state; " + ", ".join(
            f"{state} {n:,}" for state, n in sorted(states.items())))
