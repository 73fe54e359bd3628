"""Time the six slow pages in process (issue 20 item 5): server time (the request through middleware, view and
template, Django's test client), median of --runs, and the page's query count, for a province-wide user and for an
account manager; beside each, the SQL floor measured in the same run — the least SQL that yields the page's
figures from the base tables, written independently of the product's selectors (arrears/bench_floors.py).

The arrears report's per-user cache is emptied before every request: the figure is the uncached page.
--setup first creates the demo campaigns through the marketing services (create, submit, review, approve,
launch: the launch tags its segment) when the database has none, so review and results have a campaign each.
"""

import logging
import os
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workspace import bench_floors
from core.roles import user_role

PROVINCE_WIDE = ("credit_demo", "collections_demo", "admin_demo")  # the first with the page's permission
MANAGER = "am_demo"
TARGET_MS = 500


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--setup", action="store_true", help="create the demo campaigns when there are none")
        parser.add_argument("--page", action="append", help="only these pages (names as printed)")

    def handle(self, *args, runs=5, setup=False, page=None, **options):
        logging.disable(logging.WARNING)  # the request log line of every timed request, the 403s of a manager
        from marketing.models import Campaign

        if setup and not Campaign.objects.exists():
            from marketing import demo

            t0 = time.perf_counter()
            demo.generate(stdout=self.stdout)
            self.stdout.write(f"campaigns created through the services in {time.perf_counter() - t0:.1f} s")
        running = Campaign.objects.filter(status="running").order_by("pk").first()
        in_review = Campaign.objects.filter(status="in_review").order_by("pk").first()
        if running is None or in_review is None:
            self.stdout.write("no running or in-review campaign (run with --setup): the campaign pages are left out")
        users = {u.username: u for u in get_user_model().objects.filter(username__in=(*PROVINCE_WIDE, MANAGER))}
        if MANAGER not in users:
            raise CommandError("No demo users: generate_province creates them.")
        pages = [("arrears report", reverse("arrears:report"), "arrears.view_lineaccount",
                  bench_floors.arrears_report)]
        if in_review is not None:
            pages.append(("campaign review", reverse("marketing:campaign-review", args=[in_review.pk]),
                          "marketing.review_campaign", lambda scope: bench_floors.campaign_review(in_review, scope)))
        if running is not None:
            pages.append(("campaign results", reverse("marketing:campaign-results", args=[running.pk]),
                          "marketing.view_campaign", lambda scope: bench_floors.campaign_results(running, scope)))
        pages += [
            ("SP settlement", reverse("arrears:sp-settlement"), "arrears.view_spcharge", bench_floors.sp_settlement),
            ("collection queue", reverse("arrears:collection"), "arrears.view_collectioncase",
             bench_floors.collection_queue),
            ("campaign list", reverse("marketing:campaigns"), "marketing.view_campaign", bench_floors.campaign_list),
        ]
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM customers_customer")
            customers = cur.fetchone()[0]
        self.stdout.write(f"{customers:,} customers; median of {runs} runs; load average "
                          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        self.stdout.write(f"{'page':18} {'user':18} {'status':>6} {'ms':>8} {'queries':>7} {'floor ms':>9} {'×':>6}")
        for name, url, perm, floor in pages:
            if page and name not in page:
                continue
            wide = next((users[u] for u in PROVINCE_WIDE if u in users and users[u].has_perm(perm)), None)
            for user in (wide, users[MANAGER]):
                if user is None:
                    continue
                self.report(name, url, user, floor, runs)
        self.stdout.write(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def report(self, name, url, user, floor, runs):
        client = Client()
        client.force_login(user)
        times, queries, status = [], 0, None
        for _ in range(runs):
            cache.delete(f"arrears-report:{user.pk}")
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(url, secure=True)  # as behind the TLS proxy: no redirect
                times.append((time.perf_counter() - t0) * 1000)
            status, queries = response.status_code, len(captured.captured_queries)
        page_ms = statistics.median(times)
        floor_ms = None
        if status == 200:
            floor_times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                floor(bench_floors.Scope.of(user))
                floor_times.append((time.perf_counter() - t0) * 1000)
            floor_ms = statistics.median(floor_times)
        mark = "" if status != 200 else ("  ok" if page_ms < TARGET_MS else "  SLOW")
        self.stdout.write(f"{name:18} {user_role(user) or user.username:18} {status:>6} {page_ms:>8.1f} {queries:>7} "
                          f"{'' if floor_ms is None else f'{floor_ms:9.1f}'} "
                          f"{'' if not floor_ms else f'{page_ms / floor_ms:6.1f}'}{mark}")

