"""Server time of the customer list page and API at the current database size.

For each filter combination it times the full request in-process (Django test client, no
network) and, as a floor measured in the same run, the two SQL statements the page needs
(the capped COUNT and the 50-row page) issued directly. Prints median and worst of --repeat runs.
"""

import statistics
import time

from django.contrib.auth.models import User
from django.core.management import BaseCommand, CommandError
from django.test import Client

from core.pagination import COUNT_CAP
from customers.models import Customer
from customers.selectors import customer_list

CASES = [
    ("no filter", {}),
    ("region", {"region": "__region__"}),
    ("star 4+5, sort by spend", {"star": ["4", "5"], "ordering": "-spend"}),
    ("brand + status + tenure>=24", {"brand": "__brand__", "status": "active", "tenure_min": "24"}),
    ("spend 100-300, sort by join date", {"spend_min": "100", "spend_max": "300", "ordering": "-join_date"}),
    ("unrated", {"star": "unrated"}),
    ("search name prefix", {"q": "王"}),
    ("search number prefix", {"q": "13800"}),
    ("search ID tail", {"q": "1234"}),
    ("page 200", {"page": "200"}),
]


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--users", default="credit_demo,am_demo")
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, users, repeat, **options):
        first = Customer.objects.select_related("region", "brand").order_by("id").first()
        if first is None:
            raise CommandError("No customers: run generate_province first.")
        self.stdout.write(f"customers in database: {Customer.objects.count():,}")
        for username in users.split(","):
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user)
            self.stdout.write(f"\n== {username} ==")
            self.stdout.write(f"{'case':<36}{'page ms (med/max)':>20}{'API ms (med/max)':>20}{'SQL floor ms':>14}")
            for label, params in CASES:
                params = {k: (str(first.region_id) if v == "__region__" else str(first.brand_id)
                              if v == "__brand__" else v) for k, v in params.items()}
                if client.get("/api/customers/", params).status_code == 404:
                    self.stdout.write(f"{label:<36}  (the scope has fewer pages)")
                    continue
                page, api, floor = self._measure(client, user, params, repeat)
                self.stdout.write(f"{label:<36}{page[0]:>10.0f}/{page[1]:<9.0f}{api[0]:>10.0f}/{api[1]:<9.0f}"
                                  f"{floor[0]:>14.0f}")

    def _measure(self, client, user, params, repeat):
        client.get("/customers/", params)  # warm caches and connections
        page = timed(lambda: self._ok(client.get("/customers/", params)), repeat)
        api = timed(lambda: self._ok(client.get("/api/customers/", params)), repeat)
        floor = timed(lambda: self._sql_floor(user, params), repeat)
        return page, api, floor

    @staticmethod
    def _ok(response):
        if response.status_code != 200:
            raise CommandError(f"HTTP {response.status_code}")
        return response

    @staticmethod
    def _sql_floor(user, params):
        params = {k: v for k, v in params.items() if k != "page"}
        qs = customer_list(user=user, filters=params)
        qs.order_by()[: COUNT_CAP + 1].count()
        list(qs[:50])
