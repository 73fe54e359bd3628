"""Demo inputs for the enterprise capability, on top of the province generator's enterprises and member lines.

Set-based: one SQL statement per table (profiles, key people, agreements, products, tasks, interactions,
opportunities: what the group and its managers tell us), seeded so two runs on the same province give the same
data. Only the service-day orders (a few per hundred groups, dated by the pure calendar rules) go through the
ORM. Nothing derived: the monthly snapshots, segment tags, alerts and computed classes come from the product's
nightly runs (the province replay runs them month by month).
"""

import random
import time
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from core.choices import Role
from core.selectors import working_calendar
from enterprise import policies, services
from enterprise.models import EnterpriseAccount, KeyPerson, ServiceDayOrder
from enterprise.sql.demo import (AGREEMENTS_SQL, DEMO_ENTERPRISES_SQL, DEMO_MEMBERS_SQL, INTERACTIONS_SQL,
                                 KEY_PEOPLE_SQL, MANAGER_KINDS_SQL, OPPORTUNITIES_SQL, PRODUCTS_SQL, PROFILE_SQL,
                                 SEED_SQL, SERVICE_MANAGER_SQL, SIZE_SQL, TASKS_SQL)

def _ensure_enterprises(stdout) -> None:
    """A province without groups (made before enterprises existed): a few groups, some lines attached."""
    if EnterpriseAccount.objects.exists():
        return
    with connection.cursor() as cur:
        cur.execute(DEMO_ENTERPRISES_SQL)
        cur.execute(DEMO_MEMBERS_SQL)
    stdout.write(f"Enterprises created: {EnterpriseAccount.objects.count():,}")


def _demo_manager_accounts() -> None:
    """am_demo signs in to a workbench with work on it: give it a few groups of its region if it has none."""
    am = get_user_model().objects.filter(username="am_demo", groups__name=Role.ACCOUNT_MANAGER).select_related(
        "staff_profile__team").first()
    if am is None or EnterpriseAccount.objects.filter(account_manager=am).exists():
        return
    profile = getattr(am, "staff_profile", None)
    region_id = profile.region_id or (profile.team.region_id if profile and profile.team_id else None)
    ids = list(EnterpriseAccount.objects.filter(region_id=region_id).order_by("id").values_list("id", flat=True)[:4])
    EnterpriseAccount.objects.filter(pk__in=ids).update(account_manager=am)


def _service_days(rng: random.Random, today: date, now: datetime) -> int:
    accounts = list(EnterpriseAccount.objects.filter(account_manager__isnull=False)
                    .values_list("id", "account_manager_id"))
    chosen = [a for a in accounts if rng.random() < 0.3]
    calendar = working_calendar()
    orders = []
    for account_id, manager_id in chosen:
        requested = today + timedelta(days=rng.randint(-45, 30))
        scheduled = policies.schedule_service_day(requested, calendar=calendar).scheduled
        deadline = policies.visit_log_deadline(scheduled, calendar=calendar)
        logged = None
        if scheduled < today and rng.random() < 0.8:
            logged = calendar.add_working_days(scheduled, rng.choice([1, 2, 3, 3, 4, 5]))
            logged = min(logged, today)
        submitted = timezone.make_aware(datetime.combine(min(requested, today) - timedelta(days=rng.randint(3, 10)),
                                                         datetime.min.time().replace(hour=10)))
        orders.append(ServiceDayOrder(
            account_id=account_id, requested_date=requested, service_date=scheduled, submitted_by_id=manager_id,
            policy="一集团一政策:虚拟网、4G 换卡换资费", materials="横幅, 4G 宣传单页, 易拉宝, 海报, 小礼品",
            submitted_at=submitted, visit_deadline=deadline, visit_logged_on=logged,
            status="visited" if logged else ("collected" if submitted < now - timedelta(days=3) else "submitted")))
    ServiceDayOrder.objects.bulk_create(orders)
    return len(orders)


def populate(*, seed: int, today: date, now: datetime) -> int:
    """The enterprise tables' demo rows for the existing groups; returns the service-day orders made."""
    with connection.cursor() as cur:
        cur.execute(SEED_SQL, [((seed % 1000) / 1000)])
        for sql in (PROFILE_SQL, SIZE_SQL, SERVICE_MANAGER_SQL, MANAGER_KINDS_SQL, KEY_PEOPLE_SQL, AGREEMENTS_SQL,
                    PRODUCTS_SQL, TASKS_SQL, INTERACTIONS_SQL, OPPORTUNITIES_SQL):
            cur.execute(sql, {"today": today, "now": now})
    return _service_days(random.Random(seed), today, now)


def generate(*, seed: int = 42, today: date | None = None, stdout=None) -> None:
    """Enterprise demo inputs (idempotent: does nothing when the groups have key people already)."""
    class Quiet:
        def write(self, *_):
            pass

    stdout = stdout or Quiet()
    if KeyPerson.objects.exists():
        stdout.write("Enterprise demo data already present.")
        return
    started = time.perf_counter()
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        _ensure_enterprises(stdout)
        _demo_manager_accounts()
        orders = populate(seed=seed, today=today, now=now)
        services.service_day_reports_ensure(today=today)
    stdout.write(f"Enterprise demo: {EnterpriseAccount.objects.count():,} groups, {orders:,} service-day orders, "
                 f"in {time.perf_counter() - started:.1f} s")
