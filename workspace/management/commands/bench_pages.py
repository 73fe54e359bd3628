"""Time pages in process: server time (the request through middleware, view and template, Django's test client),
median of --runs, and the page's query count.

Default (issue 20 item 5): the six slow pages, for a province-wide user and for an account manager; beside each,
the SQL floor measured in the same run — the least SQL that yields the page's figures from the base tables,
written independently of the product's selectors (workspace/bench_floors.py). The arrears report's per-user cache
is emptied before every request: the figure is the uncached page.

--all (issue 18: every page under 500 ms at 1M for a province-wide role): every page a province-wide role opens,
found from the URLconf rather than a list. Each GET route without arguments is a page (the admin, the API,
sign-in, language switch, health probes and CSV downloads aside); a route with an argument is benched on the
first object a benched page links to (the customer 360 from the customer list, a collection item from the queue,
a scoring model from the model list ...), the campaign review and results on the campaigns the default mode picks.
Each page is timed as the first province-wide role it answers 200 to (credit officer, collections, admin,
marketing); the home as each of them and, for comparison, as the account manager. Every request runs with a dummy
cache: the figure is the cache miss. A route answering no province-wide role with a page (403, a redirect, POST
only), or that no benched page links to, is listed after the table.

--setup first creates the demo campaigns through the marketing services (create, submit, review, approve,
launch: the launch tags its segment) when the database has none, so review and results have a campaign each.
"""

import logging
import os
import re
import statistics
import time
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from core.batches import batch_run_in_process
from marketing.batches import RESULTS_FACTS_KIND
from marketing.tasks import segment_figures_count
from workspace import bench_floors
from core.roles import user_role

PROVINCE_WIDE = ("credit_demo", "collections_demo", "admin_demo")  # the first with the page's permission
MANAGER = "am_demo"
TARGET_MS = 500
# --all: the province-wide roles a page is tried as, in this order; the home is timed as each and the manager
ALL_WIDE = (*PROVINCE_WIDE, "marketing_demo")
NOT_PAGES = ("admin/", "api/", "i18n/", "login/", "logout/", "healthz", "readyz", "metrics")  # route prefixes
DOWNLOAD = re.compile(r"(\.csv|export/?)$")  # a whole scope's rows streamed: a download, not a page
HREF = re.compile(r'href="(/[^"#?]*)')
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@dataclass
class Route:
    route: str  # as written in the URLconf, e.g. "customers/<int:pk>/"
    name: str  # namespaced, e.g. "customers:detail"
    takes_args: bool


def page_routes(patterns=None, prefix: str = "", namespace: str = "", post_only: bool = False) -> list[Route]:
    """Every named URL pattern of the URLconf that may be a page (NOT_PAGES and downloads aside; those that
    answer POST only too when `post_only`)."""
    found = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            found += page_routes(p.url_patterns, route, inner, post_only)
        elif isinstance(p, URLPattern) and p.name and not route.startswith(NOT_PAGES) and not DOWNLOAD.search(route):
            view = getattr(p.callback, "view_class", None)
            if not post_only and view is not None and "get" not in getattr(view, "http_method_names", ["get"]):
                continue  # POST only
            found.append(Route(route, f"{namespace}:{p.name}" if namespace else p.name, "<" in route))
    return found


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--setup", action="store_true", help="create the demo campaigns when there are none")
        parser.add_argument("--page", action="append", help="only these pages (names as printed)")
        parser.add_argument("--all", action="store_true", dest="every_page",
                            help="every page a province-wide role opens, from the URLconf (issue 18)")
        parser.add_argument("--slowest", type=int, default=0,
                            help="--all: print this many of the slowest queries of a page over the target "
                                 "(negative: of every page)")

    def handle(self, *args, runs=5, setup=False, page=None, every_page=False, slowest=0, **options):
        warnings.filterwarnings("ignore", message="No directory at")  # STATIC_ROOT: not collected here
        self.slowest = slowest
        logging.disable(logging.WARNING)  # the request log line of every timed request, the 403s of a manager
        from marketing.models import Campaign

        if setup and not Campaign.objects.exists():
            from marketing import demo

            t0 = time.perf_counter()
            demo.generate(stdout=self.stdout)
            with connection.cursor() as cur:  # the launch's INSERT … SELECT of members: fresh statistics (a stale
                cur.execute("ANALYZE marketing_campaignmember")  # estimate made the live results page 110 s at 20k)
            self.stdout.write(f"campaigns created through the services in {time.perf_counter() - t0:.1f} s")
            # The demo back-dates the running campaign as if launched months ago: the nights since would have
            # counted its results, so tonight's count is made here, in process (a campaign launched today is not
            # counted for the province before it: marketing.batches.results_facts_state)
            t0 = time.perf_counter()
            batch_run_in_process(RESULTS_FACTS_KIND, timezone.localdate().isoformat())
            self.stdout.write(f"results of the back-dated campaigns counted (tonight's run) in "
                              f"{time.perf_counter() - t0:.1f} s")
        running = Campaign.objects.filter(status="running").order_by("pk").first()
        in_review = Campaign.objects.filter(status="in_review").order_by("pk").first()
        if running is None or in_review is None:
            self.stdout.write("no running or in-review campaign (run with --setup): the campaign pages are left out")
        if in_review is not None and not in_review.segment_figures:
            # what a worker does after the submission commits (marketing.signals.campaign_submitted): here no
            # worker runs, so the count is made in process before the review page is timed
            t0 = time.perf_counter()
            segment_figures_count(in_review.pk)
            self.stdout.write(f"segment of the campaign in review counted (the submission's task) in "
                              f"{time.perf_counter() - t0:.1f} s")
        users = {u.username: u for u in get_user_model().objects.filter(username__in=(*ALL_WIDE, MANAGER))}
        if MANAGER not in users:
            raise CommandError("No demo users: generate_province creates them.")
        if every_page:
            seeds = [reverse(name, args=[c.pk]) for name, c in (("marketing:campaign-review", in_review),
                                                                 ("marketing:campaign-results", running)) if c]
            with override_settings(CACHES=NO_CACHE):
                return self.bench_all(users, runs, seeds, page)
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


    # ------------------------------------------------------------------------------------------------ --all
    def bench_all(self, users: dict, runs: int, seeds: list[str], only: list[str] | None) -> None:
        wide = [users[u] for u in ALL_WIDE if u in users]
        routes = page_routes()
        by_name = {r.name: r for r in routes}
        queue = list(seeds)  # the campaigns the floors use stand for their routes
        for r in routes:
            if not r.takes_args:
                try:
                    queue.append(reverse(r.name))
                except NoReverseMatch:
                    continue
        reached, rows, not_pages = {}, [], {}
        self.stdout.write(f"{self.customers():,} customers; median of {runs} runs, uncached; load average "
                          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        self.stdout.write(f"{'page':34} {'role':16} {'status':>6} {'median ms':>9} {'queries':>7}  result")
        while queue:
            url = queue.pop(0)
            try:
                name = resolve(urlsplit(url).path).view_name
            except Resolver404:  # a static file, a route outside the URLconf's pages
                continue
            if name in reached or name not in by_name:
                continue
            reached[name] = url
            statuses = {}
            for user in wide:  # the first province-wide role the page answers
                response = self.client_for(user).get(url, secure=True)
                statuses[user_role(user)] = response.status_code
                if response.status_code == 200:
                    break
            else:
                not_pages[name] = (url, statuses)
                continue
            for link in HREF.findall(response.content.decode(errors="replace")):
                queue.append(link)  # a route with an argument: its first link stands for it
            for other in wide:  # and the links only another role is offered (an administrator's edit forms)
                if other is not user:
                    seen = self.client_for(other).get(url, secure=True)
                    if seen.status_code == 200:
                        queue.extend(HREF.findall(seen.content.decode(errors="replace")))
            if only and name not in only:
                continue  # crawled for its links, not timed
            as_users = [*wide, users[MANAGER]] if name == "dashboard" else [user]
            for as_user in as_users:
                rows.append(self.time_page(name, url, as_user, runs))
        unreached = [r for r in routes if r.name not in reached and (not only or r.name in only)]
        self.stdout.write(f"{len(routes)} page routes in the URLconf ({len(page_routes(post_only=True)) - len(routes)} "
                          "more answer POST only)")
        slow = ", ".join(f"{r[0]} ({r[1]})" for r in rows if r[2] == 200 and r[3] >= TARGET_MS)
        self.stdout.write(f"{len(rows)} timings of {len({r[0] for r in rows})} pages; "
                          f"at or over {TARGET_MS} ms: {slow or 'none'}")
        for name, (url, statuses) in not_pages.items():
            self.stdout.write(f"  not a page for a province-wide role: {name} {url} "
                              f"{' '.join(f'{role}={code}' for role, code in statuses.items())}")
        for r in unreached:
            self.stdout.write(f"  not linked from a benched page (no representative object): {r.name} {r.route}")
        self.stdout.write(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def client_for(self, user) -> Client:
        clients = self.__dict__.setdefault("_clients", {})
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        return clients[user.pk]

    def time_page(self, name: str, url: str, user, runs: int) -> tuple:
        client = self.client_for(user)
        times, queries, status = [], 0, None
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(url, secure=True)
                times.append((time.perf_counter() - t0) * 1000)
            status, queries = response.status_code, len(captured.captured_queries)
        ms = statistics.median(times)
        result = "" if status != 200 else ("ok" if ms < TARGET_MS else "SLOW")
        role = user_role(user) or user.username
        self.stdout.write(f"{name:34} {role:16} {status:>6} {ms:>9.1f} {queries:>7}  {result}  {url}")
        if (result == "SLOW" or self.slowest < 0) and self.slowest:
            for q in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:abs(self.slowest)]:
                self.stdout.write(f"    {float(q['time']) * 1000:8.1f} ms  {q['sql'][:300]}")
        self.stdout.flush()
        return name, role, status, ms, queries

    @staticmethod
    def customers() -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM customers_customer")
            return cur.fetchone()[0]
