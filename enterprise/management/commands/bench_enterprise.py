"""Time the nightly enterprise segmentation and the manager's pages on a province, leaving nothing behind.

Inside one transaction that is rolled back: fills the enterprise tables with demo rows when they are empty
(12 monthly snapshots per group, agreements, tasks …), runs the segmentation chunk by chunk in this
process, then a SQL floor (reading the same snapshot window and agreements once, without the rules or
writes), then the workbench and account page selectors of the manager with the most groups (time and
number of queries).
"""

import time

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enterprise import demo, selectors
from enterprise.batches import SEGMENT_CHUNK, segment_chunk
from enterprise.models import EnterpriseAccount, EnterpriseSnapshot
from enterprise.sql import month_params
from enterprise.sql.bench import FLOOR_SQL

class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        today = timezone.localdate()
        try:
            with transaction.atomic():
                if not EnterpriseSnapshot.objects.exists():
                    start = time.perf_counter()
                    demo.populate(seed=1, today=today, now=timezone.now())
                    self.stdout.write(f"demo rows for {EnterpriseAccount.objects.count():,} groups "
                                      f"({EnterpriseSnapshot.objects.count():,} snapshots) in "
                                      f"{time.perf_counter() - start:.1f} s")
                ids = EnterpriseAccount.objects.order_by("id").values_list("id", flat=True)
                lo, hi = ids.first(), ids.last() + 1
                ranges = [(a, min(a + SEGMENT_CHUNK, hi)) for a in range(lo, hi, SEGMENT_CHUNK)]
                start = time.perf_counter()
                alerts = sum(segment_chunk(a, b, today) for a, b in ranges)
                night = time.perf_counter() - start
                start = time.perf_counter()
                with connection.cursor() as cur:
                    for a, b in ranges:
                        cur.execute(FLOOR_SQL, {"lo": a, "hi": b, **month_params(today)})
                floor = time.perf_counter() - start
                self.stdout.write(f"segmentation of {hi - lo:,} ids in {len(ranges)} chunks: {night:.2f} s "
                                  f"({alerts:,} alerts, classes refreshed); read floor {floor:.2f} s")
                self._pages(today)
                raise Rollback
        except Rollback:
            self.stdout.write("rolled back: nothing written")

    def _pages(self, today):
        top = (EnterpriseAccount.objects.exclude(account_manager=None).values("account_manager")
               .annotate(n=Count("id")).order_by("-n").first())
        if not top:
            return
        manager = get_user_model().objects.get(pk=top["account_manager"])
        province = get_user_model().objects.filter(groups__name="credit_officer").first()
        for user, groups in [(manager, top["n"]), (province, EnterpriseAccount.objects.count())]:
            if user is not None:
                self._time_pages(user, groups, today)

    def _time_pages(self, user, groups, today):
        biggest = selectors.account_list(user=user).order_by("-member_count").values_list("pk", flat=True).first()
        for label, call in [
            ("workbench", lambda: selectors.workbench(user=user, today=today)),
            ("account page (largest group)", lambda: selectors.account_detail(
                account=selectors.account_get(user=user, pk=biggest), today=today)),
            ("account list (first 50)", lambda: list(selectors.account_list(user=user)[:50])),
            ("KPIs", lambda: selectors.kpis(user=user, today=today)),
        ]:
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                call()
                took = time.perf_counter() - start
            self.stdout.write(f"{label} of {user.username} ({groups} groups): {took * 1000:.0f} ms, "
                              f"{len(ctx.captured_queries)} queries")
