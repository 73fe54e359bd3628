"""Benchmark of the set-based intake: onboard N customers through POST /api/customers/bulk/ in requests of
10,000, then post a device, a month of call quality and a contract per line through the bulk input endpoints;
prints items/s per endpoint. Runs in-process (the API's whole stack: auth, idempotency, validation, writes) inside
one transaction that is rolled back, so the database is left as it was.

    manage.py bench_inputs --customers 20000
"""

import time
import uuid
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.choices import Role


def _resident_id(i: int) -> str:
    """A valid, distinct resident ID for the i-th benchmark person (1,000 per birth day)."""
    from customers.policies import id_check_char

    born = date(1950, 1, 1) + timedelta(days=i // 1000)
    first17 = f"430102{born:%Y%m%d}{i % 1000:03d}"
    return first17 + id_check_char(first17)


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Items per second of bulk onboarding and of the bulk input endpoints (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=20_000)
        parser.add_argument("--batch", type=int, default=10_000)

    def handle(self, *args, customers, batch, **options):
        try:
            with transaction.atomic():
                self._run(customers, batch)
                raise Rollback
        except Rollback:
            self.stdout.write("rolled back")

    def _run(self, n: int, batch: int):
        from django.contrib.auth.models import Group, User

        from core.models import Region
        from core.roles import role_groups_sync
        from customers.models import Brand, Channel, Plan

        role_groups_sync()
        user = User.objects.create(username=f"bench-{uuid.uuid4().hex[:8]}")
        user.groups.add(Group.objects.get(name=Role.BILLING_SERVICE))
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        region = Region.objects.create(code="BENCH", name="bench")
        brand = Brand.objects.create(code="bench", name="bench")
        plan = Plan.objects.create(code="bench-88", name="bench", brand=brand, monthly_fee=88, voice_minutes=300,
                                   data_mb=1024, sms_count=10, out_of_plan_voice_rate="0.19")
        channel = Channel.objects.create(code="bench-outlet", name="bench", kind="outlet", region=region)
        msisdns = [f"19{i:09d}" for i in range(n)]
        people = [{"name": f"客户{i}", "id_number": _resident_id(i), "msisdn": m, "plan": plan.code,
                   "region": region.code, "brand": brand.code, "acquiring_channel": channel.code,
                   "policy_explained": True} for i, m in enumerate(msisdns)]
        self._post(api, "customers/bulk/", people, batch)
        today = timezone.localdate()
        month = f"{today:%Y-%m}"  # the customers joined today
        self._post(api, "inputs/devices/bulk/", [
            {"msisdn": m, "brand": "华为", "model": "P60", "price_band": "mid", "dual_sim": i % 3 == 0,
             "first_used_on": f"{today - timedelta(days=i % 900):%Y-%m-%d}"} for i, m in enumerate(msisdns)], batch)
        self._post(api, "inputs/call-quality/bulk/", [
            {"msisdn": m, "month": month, "dropped_calls": i % 7, "blocked_calls": i % 2, "unanswered_calls": i % 11,
             "roaming_minutes": 0, "overage_minutes": i % 50} for i, m in enumerate(msisdns)], batch)
        self._post(api, "inputs/contracts/bulk/", [
            {"msisdn": m, "contract_type": "month_to_month", "starts_on": f"{today:%Y-%m-%d}"} for m in msisdns],
            batch)

    def _post(self, api, url, items, batch):
        started = time.perf_counter()
        for i in range(0, len(items), batch):
            response = api.post(f"/api/{url}", {"items": items[i:i + batch]}, format="json",
                                HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, secure=True)
            if response.status_code != 201:
                raise SystemExit(f"{url}: {response.status_code} {response.content[:500]!r}")
        seconds = time.perf_counter() - started
        self.stdout.write(f"{url:32} {len(items):>9,} items {seconds:7.2f} s {len(items) / seconds:>9,.0f} items/s")
