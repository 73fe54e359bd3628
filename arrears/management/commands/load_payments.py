"""A bounded load test on loopback: gunicorn serves the app, an open-loop generator sends payments (or, with
--mixed, payments, credit-status reads and account-manager list pages) at a fixed rate for a fixed time, then
the ledger is reconciled against what the server accepted.

Also replays 2% of the requests with the same Idempotency-Key and body: each replay must get the first
answer and write nothing. Prints throughput, p50/p95/p99 latency, errors and the reconciliation. The
payments stay in the database (references start with the run's tag).
"""

import os
import statistics
import time
import uuid
from decimal import Decimal

import requests
from django.core.management import BaseCommand, CommandError
from django.db.models import Count, Sum
from rest_framework.authtoken.models import Token

from arrears.models import LedgerEntry
from core.choices import Role
from core.ops.loadgen import Planned, json_body, run_plan
from core.ops.serve import serve_on_loopback
from customers.demo.users import DEMO_PASSWORD
from customers.models import Line

PORT = 8765


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--rate", type=int, default=200, help="requests per second")
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--lines", type=int, default=200, help="distinct lines paid to")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
        parser.add_argument("--warmup", type=int, default=5,
                            help="seconds of the same load first, reconciled but left out of the latency figures "
                                 "(a deployed server is warm: connections open, queries compiled)")
        parser.add_argument("--mixed", action="store_true",
                            help="mix: 50%% payments, 35%% credit-status reads (billing), 15%% account-manager "
                                 "customer-list pages (am_demo, signed in through the login form)")

    def handle(self, *args, rate, seconds, lines, workers, warmup=5, mixed=False, **options):
        numbers = list(Line.objects.exclude(status="closed").order_by("id").values_list("msisdn", flat=True)[:lines])
        billing = Token.objects.filter(user__groups__name=Role.BILLING_SERVICE).select_related("user").first()
        if not numbers or billing is None:
            raise CommandError("Needs lines and a billing service account with a token (run setup_demo).")
        tag = f"load-{uuid.uuid4().hex[:8]}"
        server = serve_on_loopback(PORT, workers=workers, env={**os.environ, "REQUEST_LOG_LEVEL": "WARNING"})
        try:
            self.cookies = self._sign_in() if mixed else {}
            warm = []
            if warmup:
                warm, _ = self._send(numbers, billing.key, f"{tag}-warm", rate, warmup, mixed)
                self.stdout.write(f"warm-up: {len(warm):,} requests in {warmup} s, not in the figures")
            results, replays = self._send(numbers, billing.key, tag, rate, seconds, mixed)
        finally:
            server.terminate()
            server.wait(timeout=30)
        self._report(results, replays, tag, rate, seconds, warm)

    def _sign_in(self) -> dict:
        session = requests.Session()
        login = f"http://127.0.0.1:{PORT}/login/"
        session.get(login, timeout=10)
        session.post(login, data={"username": "am_demo", "password": DEMO_PASSWORD,
                                  "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                     headers={"Referer": login}, timeout=10)
        if "sessionid" not in session.cookies:
            raise CommandError("could not sign in as am_demo (run setup_demo)")
        return session.cookies.get_dict()

    @staticmethod
    def _kind(i: int, mixed: bool) -> str:
        if not mixed:
            return "payment"
        return "payment" if i % 20 < 10 else "status" if i % 20 < 17 else "page"

    def _send(self, numbers, token, tag, rate, seconds, mixed=False):
        auth = {"Authorization": f"Token {token}"}
        cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        plan = []
        for i in range(rate * seconds):
            kind = self._kind(i, mixed)
            body = {"msisdn": numbers[i % len(numbers)], "amount": f"{1 + i % 50}.{i % 100:02d}",
                    "paid_at": "2026-11-24T10:00:00+08:00", "channel": "load", "reference": f"{tag}-{i}"}
            key = f"{tag}-key-{i}"
            if kind == "payment":
                request = ("POST", "/api/billing/payments/", {**auth, "Idempotency-Key": key,
                                                               "Content-Type": "application/json"}, json_body(body))
            elif kind == "status":
                request = ("GET", f"/api/credit-status/{body['msisdn']}/", auth, b"")
            else:
                request = ("GET", f"/customers/?page={1 + i % 5}", cookie, b"")
            plan.append(Planned(i / rate, *request, tag=(key, body["amount"], kind)))
            if kind == "payment" and i % 50 == 0:  # 2%: the same request again a moment later, as a client retrying
                plan.append(Planned(i / rate + 0.5, *request, tag=(key, body["amount"], kind)))
        start = time.monotonic()
        results = run_plan(plan, port=PORT)
        self.elapsed = time.monotonic() - start
        outcomes = [(*r.planned.tag[:2], r.status, r.headers.get("idempotent-replayed") == "true", r.latency, r.lag,
                     r.planned.tag[2], r.planned.at) for r in results]
        return outcomes, [o for o in outcomes if o[3]]

    def _report(self, results, replays, tag, rate, seconds, warm=()):
        expected = {"payment": 201, "status": 200, "page": 200}
        ok = [r for r in [*warm, *results] if r[6] == "payment" and r[2] == 201]  # the ledger has both
        errors = [r for r in [*warm, *results] if r[2] != expected[r[6]]]
        latencies = sorted(r[4] * 1000 for r in results)
        late = sorted(r[5] * 1000 for r in results)

        def pct(values, p):
            return values[min(len(values) - 1, int(p / 100 * len(values)))]

        accepted = {r[0]: Decimal(r[1]) for r in ok}  # key -> amount: a replayed key counts once
        accepted_keys, accepted_sum = set(accepted), sum(accepted.values(), Decimal("0"))
        ledger = LedgerEntry.objects.filter(reference__startswith=f"payment-{tag}-").aggregate(
            n=Count("id"), total=Sum("amount"))
        w = self.stdout.write
        w(f"sent {len(results):,} requests ({len(replays):,} of them replays) in {self.elapsed:.1f} s "
          f"= {len(results) / self.elapsed:.0f} req/s (target {rate}/s for {seconds} s)")
        w(f"latency ms: p50 {statistics.median(latencies):.1f}, p95 {pct(latencies, 95):.1f}, "
          f"p99 {pct(latencies, 99):.1f}, max {latencies[-1]:.1f}; generator lag p99 {pct(late, 99):.1f}")
        by_window = {}
        for r in results:  # (planned second // 10) -> latencies: is the tail spread or bunched?
            by_window.setdefault(int(r[7] // 10), []).append(r[4] * 1000)
        w("p99 by 10 s window: " + ", ".join(f"{k * 10}-{k * 10 + 10}s {pct(sorted(v), 99):.0f}"
                                             for k, v in sorted(by_window.items())))
        for kind in ("payment", "status", "page"):
            mine = sorted(r[4] * 1000 for r in results if r[6] == kind)
            failed = sum(1 for r in results if r[6] == kind and r[2] != expected[kind])
            if mine and len(mine) != len(results):
                w(f"  {kind:<8} {len(mine):6,} requests: p50 {statistics.median(mine):.1f} ms, "
                  f"p99 {pct(mine, 99):.1f} ms, errors {failed}")
        w(f"responses: {len(ok):,} × 201 (replays answered from the first result: {len(replays):,}); "
          f"errors: {len(errors):,} {sorted({r[2] for r in errors}) if errors else ''}")
        reconciled = ledger["n"] == len(accepted_keys) and (ledger["total"] or 0) == accepted_sum
        w(f"ledger: {ledger['n']:,} payment entries totalling {ledger['total'] or 0} for {len(accepted_keys):,} "
          f"accepted keys totalling {accepted_sum}: {'RECONCILED' if reconciled else 'MISMATCH'}")
