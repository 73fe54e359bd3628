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

PROFILE_SQL = """
UPDATE enterprise_enterpriseaccount a SET
    headcount = greatest(coalesce(m.members, 0), 3) * (1.2 + random() * 1.8),
    unified_billing_revenue = round((coalesce(m.members, 0) * (60 + random() * 100) + 500 + random() * 3000)::numeric,
                                    2),
    customer_since = date '2008-01-01' + (random() * 6000)::int,
    competitors = (ARRAY['', '', '中国电信', '中国联通', '中国电信, 中国联通'])[1 + floor(random() * 5)::int]
FROM enterprise_enterpriseaccount a2
LEFT JOIN (SELECT enterprise_id, count(*) AS members FROM customers_line
           WHERE enterprise_id IS NOT NULL AND status <> 'closed' GROUP BY enterprise_id) m ON m.enterprise_id = a2.id
WHERE a.id = a2.id
"""

SIZE_SQL = """
UPDATE enterprise_enterpriseaccount SET size = CASE WHEN headcount >= 1000 THEN 'large' WHEN headcount >= 100
    THEN 'medium' WHEN headcount >= 10 THEN 'small' ELSE 'micro' END
"""

SERVICE_MANAGER_SQL = """
UPDATE enterprise_enterpriseaccount a SET service_manager_id = (
    SELECT sp2.user_id FROM core_staffprofile sp JOIN core_staffprofile sp2 ON sp2.team_id = sp.team_id
    JOIN auth_user_groups ug ON ug.user_id = sp2.user_id JOIN auth_group g ON g.id = ug.group_id
    WHERE sp.user_id = a.account_manager_id AND sp2.user_id <> a.account_manager_id AND g.name = 'account_manager'
    ORDER BY sp2.user_id LIMIT 1)
WHERE random() < 0.6
"""

KEY_PEOPLE_SQL = """
INSERT INTO enterprise_keyperson (account_id, role, name, title, phone, notes)
SELECT a.id, r.role,
       (ARRAY['王','李','张','刘','陈','杨','黄','赵','周','吴'])[1 + floor(random() * 10)::int]
         || (ARRAY['总','经理','主任','科长','部长'])[1 + floor(random() * 5)::int],
       r.title, '139' || lpad((floor(random() * 100000000))::int::text, 8, '0'), ''
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('decision_maker', '总经理'), ('liaison', '办公室主任'), ('influencer', '信息中心主管'))
     AS r(role, title)
WHERE r.role <> 'influencer' OR random() < 0.5
"""

AGREEMENTS_SQL = """
INSERT INTO enterprise_agreement (account_id, title, signed_on, expires_on, monthly_value)
SELECT a.id, t.title, s.signed, s.signed + (365 * (1 + floor(random() * 3)))::int,
       round((a.unified_billing_revenue * (0.3 + random() * 0.5))::numeric, 2)
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('集团统一付费协议'), ('集团虚拟网协议')) AS t(title)
CROSS JOIN LATERAL (SELECT %(today)s::date - (random() * 1000 + 0 * a.id)::int AS signed) s  -- a.id: per row
WHERE t.title = '集团统一付费协议' OR random() < 0.5
"""

PRODUCTS_SQL = """
INSERT INTO enterprise_productholding (account_id, product, since, monthly_revenue)
SELECT a.id, p.product, %(today)s::date - (random() * 1500)::int,
       round((a.unified_billing_revenue * p.share * (0.5 + random()))::numeric, 2)
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('group_vpn', 0.8, 0.25), ('group_sms', 0.6, 0.1), ('conference', 0.3, 0.08),
                   ('industry_app', 0.2, 0.2)) AS p(product, chance, share)
WHERE random() < p.chance
"""

LEAD_OF_MANAGER = """(SELECT sp2.user_id FROM core_staffprofile sp
    JOIN core_staffprofile sp2 ON sp2.team_id = sp.team_id
    JOIN auth_user_groups ug ON ug.user_id = sp2.user_id JOIN auth_group g ON g.id = ug.group_id
    WHERE sp.user_id = a.account_manager_id AND g.name = 'team_lead' ORDER BY sp2.user_id LIMIT 1)"""

TASKS_SQL = f"""
INSERT INTO enterprise_task (account_id, title, description, assigned_to_id, assigned_by_id, due_date, priority,
    status, outcome, completed_at, completed_by_id, created_at, updated_at)
SELECT a.id, t.title, '', a.account_manager_id, {LEAD_OF_MANAGER}, d.due, 1 + floor(random() * 4)::int,
       CASE WHEN d.due < %(today)s::date - 7 THEN 'done' ELSE 'open' END,
       CASE WHEN d.due < %(today)s::date - 7 THEN '已完成' ELSE '' END,
       CASE WHEN d.due < %(today)s::date - 7 THEN d.due::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '17 hours'
       END,
       CASE WHEN d.due < %(today)s::date - 7 THEN a.account_manager_id END, %(now)s, %(now)s
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('走访决策人'), ('协议续签沟通'), ('集团成员通讯录收集'), ('推荐行业应用')) AS t(title)
CROSS JOIN LATERAL (SELECT %(today)s::date + (floor(random() * 40 + 0 * a.id + 0 * length(t.title)) - 25)::int
                    AS due) d
LEFT JOIN core_calendarday cal ON cal.date = d.due
WHERE a.account_manager_id IS NOT NULL AND random() < 0.7
  AND coalesce(cal.is_working_day, extract(isodow FROM d.due) < 6)  -- due on working days only (the calendar)
"""

INTERACTIONS_SQL = """
INSERT INTO enterprise_interaction (account_id, kind, by_id, at, summary, next_step)
SELECT a.id, (ARRAY['visit', 'call', 'message'])[1 + floor(random() * 3)::int], a.account_manager_id,
       %(now)s - make_interval(days => floor(random() * 90)::int, hours => floor(random() * 8)::int),
       (ARRAY['拜访集团联系人,了解成员规模', '电话回访关键人,介绍虚拟网优惠', '短信告知新政策',
              '与信息中心沟通行业应用需求'])[1 + floor(random() * 4)::int],
       (ARRAY['', '下周再访', '发送方案', '约决策人面谈'])[1 + floor(random() * 4)::int]
FROM enterprise_enterpriseaccount a CROSS JOIN generate_series(1, 4) AS g(n)
WHERE a.account_manager_id IS NOT NULL AND random() < 0.8
"""

MANAGER_KINDS_SQL = """
INSERT INTO enterprise_managerprofile (user_id, kind)
SELECT DISTINCT account_manager_id, 'marketing' FROM enterprise_enterpriseaccount WHERE account_manager_id IS NOT NULL
UNION
SELECT DISTINCT service_manager_id, 'service' FROM enterprise_enterpriseaccount
WHERE service_manager_id IS NOT NULL AND service_manager_id NOT IN (
    SELECT account_manager_id FROM enterprise_enterpriseaccount WHERE account_manager_id IS NOT NULL)
ON CONFLICT (user_id) DO NOTHING
"""

OPPORTUNITIES_SQL = """
INSERT INTO enterprise_opportunity (account_id, prospect_name, region_id, kind, stage, title, plan, expected_revenue,
    expected_close, account_manager_id, created_at, updated_at)
SELECT a.id, '', a.region_id, k.kind,
       (ARRAY['identified', 'qualified', 'proposal', 'negotiation', 'won', 'lost'])[1 + floor(random() * 6)::int],
       k.title, '', round((a.unified_billing_revenue * (0.1 + random() * 0.3))::numeric, 2),
       %(today)s::date + (random() * 120)::int, a.account_manager_id, %(now)s, %(now)s
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('development_request', '综合语音接入'), ('development_plan', '集团短信平台扩容')) AS k(kind, title)
WHERE random() < 0.3
"""


def _ensure_enterprises(stdout) -> None:
    """A province without groups (made before enterprises existed): a few groups, some lines attached."""
    if EnterpriseAccount.objects.exists():
        return
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO enterprise_enterpriseaccount (name, industry, region_id, legacy_class, account_manager_id,
                size, headcount, competitors, unified_billing_revenue, computed_class, class_factors,
                created_at, updated_at)
            SELECT '演示集团' || c.id, '制造', c.region_id, 'C', c.account_manager_id, 'small', 0, '', 0, '', '{}',
                   now(), now()
            FROM customers_customer c WHERE c.account_manager_id IS NOT NULL AND c.id % 400 = 0""")
        cur.execute("""
            UPDATE customers_line l SET enterprise_id = e.id
            FROM customers_customer c JOIN enterprise_enterpriseaccount e ON e.region_id = c.region_id
                 AND e.id % 7 = c.id % 7
            WHERE c.id = l.customer_id AND l.status <> 'closed' AND l.id % 20 = 0""")
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
        cur.execute("SELECT setseed(%s)", [((seed % 1000) / 1000)])
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
