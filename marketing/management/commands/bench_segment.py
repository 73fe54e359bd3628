"""Count campaign segments over the province and compare with a plain SQL COUNT floor (read-only).

    manage.py bench_segment --repeat 3

Each segment is compiled by the same selector as the page's live count (marketing.selectors.target_queryset,
province scope) and counted; the floor is `SELECT count(*) FROM customers_customer`, the cheapest possible
count over the same table. Also times the review page's two province reads: the segment's star distribution
and the per-star arrears history. Target: every segment under 2 s.

The saturation rules read the nightly usage facts: the command first runs that batch's work over every
chunk (timed) inside a transaction that it rolls back at the end, so the database is left as it was
(only `migrate marketing` is needed on a read-only province).
"""

import statistics
import time

from django.core.management import BaseCommand
from django.db import connection, transaction

from core.models import Region
from customers.models import Brand
from marketing import selectors
from marketing.batches import FACTS_CHUNK, refresh_usage_facts
from marketing.sql import BENCH_FLOOR, CUSTOMER_ID_BOUNDS, FACTS_ANALYZE

TARGET_MS = 2000


def _segments() -> list[tuple[str, dict, int | None]]:
    regions = list(Region.objects.order_by("code").values_list("pk", flat=True)[:2])
    brand = Brand.objects.order_by("code").values_list("pk", flat=True).first()
    return [
        ("whole province", {}, None),
        ("0-1 star in two regions", {"star": ["0", "1"], "region": regions}, None),
        ("brand + tenure >= 24 + spend 100-300", {"brand": [brand], "tenure_min": 24, "spend_min": "100",
                                                  "spend_max": "300"}, None),
        ("stable, 3-5 star", {"lifecycle_stage": ["stable"], "star": ["3", "4", "5"]}, None),
        ("enterprise members", {"enterprise_member": True}, None),
        ("plan saturation >= 90 % (3 months)", {"saturation_min": "90"}, None),
        ("min star 2, spend >= 50, no enterprise, saturation >= 80",
         {"spend_min": "50", "enterprise_member": False, "saturation_min": "80"}, 2),
    ]


def _ms(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


class Command(BaseCommand):
    help = "Time segment counts over the province against a plain SQL COUNT floor."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, repeat, **options):
        with transaction.atomic():
            self._bench(repeat)
            transaction.set_rollback(True)  # leave the province as it was
        self.stdout.write("(rolled back: nothing written)")

    def _refresh_facts(self):
        with connection.cursor() as cur:
            cur.execute(CUSTOMER_ID_BOUNDS)
            lo, hi = cur.fetchone()
        start, rows = time.perf_counter(), 0
        for chunk in range(lo or 0, (hi or 0) + 1, FACTS_CHUNK):
            rows += refresh_usage_facts(chunk, chunk + FACTS_CHUNK)
        with connection.cursor() as cur:
            cur.execute(FACTS_ANALYZE)
        self.stdout.write(f"usage facts batch: {rows:,} customers in {time.perf_counter() - start:.1f} s "
                          f"({FACTS_CHUNK:,} per chunk)")

    def _bench(self, repeat):
        self._refresh_facts()

        def floor():
            with connection.cursor() as cur:
                cur.execute(BENCH_FLOOR)
                return cur.fetchone()[0]

        floor_ms, total = _ms(floor, repeat)
        self.stdout.write(f"{total:,} customers; floor count(*): {floor_ms:.0f} ms (median of {repeat})")
        self.stdout.write(f"{'segment':<58} {'customers':>10} {'ms':>7} {'x floor':>8}")
        worst = 0.0
        for label, rules, min_star in _segments():
            qs = selectors.target_queryset(rules=rules, min_star=min_star)
            ms, n = _ms(qs.count, repeat)
            worst = max(worst, ms)
            self.stdout.write(f"{label:<58} {n:>10,} {ms:>7.0f} {ms / floor_ms:>8.2f}")
        qs = selectors.target_queryset(rules={"star": ["0", "1", "2"], "spend_min": "30"})
        ms, _counts = _ms(lambda: selectors.star_distribution(qs), repeat)
        self.stdout.write(f"{'review: star distribution of 0-2 star, spend >= 30':<58} {'':>10} {ms:>7.0f}")
        ms, (_history, source) = _ms(selectors.star_history, repeat)
        self.stdout.write(f"{'review: arrears history per star (' + source + ')':<58} {'':>10} {ms:>7.0f}")
        verdict = self.style.SUCCESS("under") if worst < TARGET_MS else self.style.ERROR("OVER")
        self.stdout.write(f"slowest segment count {worst:.0f} ms: {verdict} the {TARGET_MS} ms target")
