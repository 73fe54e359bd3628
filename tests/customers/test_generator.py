"""The synthetic province generator (manage.py generate_province): deterministic, valid, consistent."""

from collections import Counter
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.choices import Role
from customers.batches import refresh_avg_spend
from customers.demo.users import DEMO_PASSWORD, ensure_demo_users
from customers.models import BlacklistEntry, Customer, Line, UsageSummary
from customers.policies import tenure_months, validate_msisdn, validate_resident_id

pytestmark = pytest.mark.django_db(transaction=True)

N = 300
PINNED = date(2026, 3, 15)
LOADED_TABLES = ("customers_customer", "customers_line", "customers_usagesummary", "arrears_bill", "arrears_payment",
                 "customers_device", "customers_blacklistentry")
STAR_LIMIT = {None: 0, 0: 0, 1: 10, 2: 20, 3: 50, 4: 200, 5: 300}


def generate(*, seed: int, today: date | None = PINNED, wipe: bool = True, customers: int = N) -> str:
    out = StringIO()
    options = {"customers": customers, "seed": seed, "wipe": wipe, "stdout": out}
    if today:
        options["today"] = today
    call_command("generate_province", **options)
    return out.getvalue()


def query(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def fingerprint() -> dict[str, str]:
    """md5 per table over all rows in id order; user ids (not reset by --wipe) replaced by usernames."""
    tables = {
        "customers": "SELECT to_jsonb(c) - 'account_manager_id' || jsonb_build_object('am', u.username) AS r, c.id "
                     "FROM customers_customer c LEFT JOIN auth_user u ON u.id = c.account_manager_id",
        "lines": "SELECT to_jsonb(t) AS r, t.id FROM customers_line t",
        "usage": "SELECT to_jsonb(t) AS r, t.id FROM customers_usagesummary t",
        "bills": "SELECT to_jsonb(t) AS r, t.id FROM arrears_bill t",
        "payments": "SELECT to_jsonb(t) AS r, t.id FROM arrears_payment t",
        "devices": "SELECT to_jsonb(t) AS r, t.id FROM customers_device t",
    }
    return {name: query(f"SELECT md5(string_agg(r::text, '|' ORDER BY id)) FROM ({sql}) x")[0][0]
            for name, sql in tables.items()}


def schema() -> list[tuple]:
    return query(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) UNION ALL "
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2, 3",
        [list(LOADED_TABLES), list(LOADED_TABLES)],
    )


def test_same_seed_gives_identical_province_and_another_seed_differs():
    generate(seed=7)
    first = fingerprint()
    generate(seed=7)
    assert fingerprint() == first
    generate(seed=8)
    other = fingerprint()
    assert all(other[t] != first[t] for t in first)


def test_generated_province_is_valid_and_consistent():
    before = schema()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    generate(seed=3, today=None)  # default anchor: today in Asia/Shanghai, as the nightly spend batch uses
    assert schema() == before, "indexes and constraints must end exactly as the migrations made them"

    customers = list(Customer.objects.values("id", "id_number", "id_last4", "birth_date", "gender", "join_date",
                                             "credit_star", "credit_limit", "status", "region_id",
                                             "account_manager__staff_profile__region_id"))
    assert len(customers) == N
    blacklisted = set(BlacklistEntry.objects.filter(customer__isnull=False, cleared_at__isnull=True)
                      .values_list("customer_id", flat=True))
    assert blacklisted, "some customers closed for arrears are blacklisted"
    for c in customers:
        assert validate_resident_id(c["id_number"], today=today) == c["id_number"]
        assert c["id_last4"] == c["id_number"][-4:]
        assert c["birth_date"].strftime("%Y%m%d") == c["id_number"][6:14]
        assert c["gender"] == ("M" if int(c["id_number"][16]) % 2 else "F")
        # Unrated exactly when tenure is under 6 months or the person is blacklisted (DOMAIN.md §4).
        unrated = tenure_months(c["join_date"], today) < 6 or c["id"] in blacklisted
        assert (c["credit_star"] is None) == unrated, c
        expected_limit = 0 if c["status"] == "closed" else STAR_LIMIT[c["credit_star"]]
        assert c["credit_limit"] == expected_limit
        assert c["account_manager__staff_profile__region_id"] == c["region_id"]
    assert len({c["id_number"] for c in customers}) == N
    assert {0, 1, 2} <= {c["credit_star"] for c in customers}
    assert any(c["credit_star"] is None for c in customers)

    msisdns = list(Line.objects.values_list("msisdn", flat=True))
    assert len(msisdns) == len(set(msisdns)) > N
    for number in msisdns:
        validate_msisdn(number)

    # Usage: one row a month from the line's activation (or 11 months ago) to its closure (or this month).
    months_back = [divmod(today.year * 12 + today.month - 1 - k, 12) for k in range(11, -1, -1)]
    window = [date(y, m + 1, 1) for y, m in months_back]
    rows = Counter(UsageSummary.objects.values_list("line_id", flat=True))
    months_of = {}
    for line_id, month in UsageSummary.objects.values_list("line_id", "month"):
        months_of.setdefault(line_id, []).append(month)
    whole_year = 0
    for line in Line.objects.all():
        end = line.closed_on or today
        expected = [m for m in window if line.activated_on.replace(day=1) <= m <= end.replace(day=1)]
        assert sorted(months_of.get(line.pk, [])) == expected, line.pk
        whole_year += rows[line.pk] == 12
    assert whole_year > 0.7 * len(msisdns)

    # Bills: due on the 20th of the next month, match usage, paid bills have exactly one payment.
    assert query("""
        SELECT count(*) FROM arrears_bill b
        LEFT JOIN customers_usagesummary u ON u.line_id = b.line_id AND u.month = b.period
        WHERE u.id IS NULL OR u.bill_amount <> b.amount OR u.customer_id <> b.customer_id
           OR b.due_date <> (b.period + interval '1 month' + interval '19 days')::date
           OR b.period >= date_trunc('month', %s::date)
           OR NOT (b.paid_amount = 0 OR b.paid_amount = b.amount)""", [today]) == [(0,)]
    assert query("""
        SELECT count(*) FROM (SELECT line_id, count(*) FILTER (WHERE paid_amount > 0) AS n, sum(paid_amount) AS paid
                              FROM arrears_bill GROUP BY line_id) b
        FULL JOIN (SELECT line_id, count(*) AS n, sum(amount) AS paid FROM arrears_payment GROUP BY line_id) p
             ON p.line_id = b.line_id
        WHERE coalesce(p.n, 0) <> coalesce(b.n, 0) OR coalesce(p.paid, 0) <> coalesce(b.paid, 0)""") == [(0,)]
    # Referential integrity (the load runs with foreign-key triggers off).
    assert query("""
        SELECT (SELECT count(*) FROM customers_line l LEFT JOIN customers_customer c ON c.id = l.customer_id
                WHERE c.id IS NULL)
             + (SELECT count(*) FROM customers_usagesummary u JOIN customers_line l ON l.id = u.line_id
                WHERE l.customer_id <> u.customer_id)
             + (SELECT count(*) FROM customers_usagesummary u LEFT JOIN customers_line l ON l.id = u.line_id
                WHERE l.id IS NULL)
             + (SELECT count(*) FROM arrears_payment p JOIN customers_line l ON l.id = p.line_id
                WHERE l.customer_id <> p.customer_id)
             + (SELECT count(*) FROM customers_customer c LEFT JOIN auth_user u ON u.id = c.account_manager_id
                WHERE u.id IS NULL)""") == [(0,)]
    # Barred and closed lines have their status history; customers in arrears have unpaid past-due bills.
    assert query("""
        SELECT count(*) FROM customers_line l WHERE l.status <> 'active'
          AND NOT EXISTS (SELECT 1 FROM customers_linestatuschange s WHERE s.line_id = l.id AND s.to_status = l.status)
        """) == [(0,)]
    assert query("""
        SELECT count(*) FROM customers_customer c WHERE c.status IN ('one_way_barred', 'two_way_barred')
          AND NOT EXISTS (SELECT 1 FROM arrears_bill b WHERE b.customer_id = c.id AND b.paid_amount < b.amount
                          AND b.due_date < %s)""", [today]) == [(0,)]

    # avg_monthly_spend is what the nightly batch computes from the usage: re-running it changes nothing.
    lo, hi = query("SELECT min(id), max(id) + 1 FROM customers_customer")[0]
    assert refresh_avg_spend(lo, hi) == 0

    # Demo users: am_demo works a book in its team; the others sit where their role says.
    User = get_user_model()
    am = User.objects.get(username="am_demo")
    assert Customer.objects.filter(account_manager=am).count() >= 20
    assert am.check_password(DEMO_PASSWORD)
    lead, region = User.objects.get(username="lead_demo"), User.objects.get(username="region_demo")
    assert lead.staff_profile.team_id == am.staff_profile.team_id
    assert region.staff_profile.region_id == am.staff_profile.region_id
    assert User.objects.get(username="billing_demo").auth_token
    assert User.objects.get(username="admin_demo").is_superuser
    assert User.objects.filter(groups__name=Role.ACCOUNT_MANAGER).count() >= 2 * query(
        "SELECT count(*) FROM core_team")[0][0]
    again = ensure_demo_users()
    assert len(again) == 8 and ("am_demo", Role.ACCOUNT_MANAGER, DEMO_PASSWORD) in again
    assert User.objects.get(username="am_demo").staff_profile.team_id == am.staff_profile.team_id

    with pytest.raises(CommandError, match="--wipe"):
        generate(seed=3, wipe=False)
