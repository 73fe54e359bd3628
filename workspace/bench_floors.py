"""SQL floors for `bench_pages`: for each slow page, the least SQL that yields its figures straight from the base
tables (no pre-aggregate), written independently of the product's selectors so the benchmark compares the page
with what PostgreSQL must at least do. A scope is either the province or one account manager's book.

Benchmark support only: nothing in the product imports this module."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from core.roles import PROVINCE_WIDE_ROLES, user_role
from marketing.selectors import campaign_target


@dataclass(frozen=True)
class Scope:
    manager_id: int | None  # None: the province

    @classmethod
    def of(cls, user) -> "Scope":
        return cls(None if user_role(user) in PROVINCE_WIDE_ROLES else user.pk)

    def sql(self, column: str) -> str:
        return "" if self.manager_id is None else f"AND {column} = {int(self.manager_id)}"


def _run(*statements: tuple[str, list | dict]) -> list:
    out = []
    with connection.cursor() as cur:
        for sql, params in statements:
            cur.execute(sql, params)
            out.append(cur.fetchall())
    return out


def arrears_report(scope: Scope) -> list:
    today = timezone.localdate()
    s = scope.sql("c.account_manager_id")
    return _run(
        (f"""SELECT c.credit_star, c.brand_id, c.acquiring_channel_id,
                    CASE WHEN a.arrears_since >= %(d30)s THEN 0 WHEN a.arrears_since >= %(d60)s THEN 1
                         WHEN a.arrears_since >= %(d90)s THEN 2 WHEN a.arrears_since >= %(d180)s THEN 3 ELSE 4 END,
                    count(*), sum(a.balance)
             FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
             WHERE a.arrears_since IS NOT NULL {s}
             GROUP BY GROUPING SETS ((1), (2), (3), (4))""",
         {f"d{n}": today - timedelta(days=n) for n in (30, 60, 90, 180)}),
        (f"""SELECT m.campaign_id, count(*), sum(a.balance)
             FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
             JOIN marketing_campaignmember m ON m.customer_id = a.customer_id AND m.how IN ('acquired', 'converted')
             WHERE a.arrears_since IS NOT NULL {s} GROUP BY 1""", []),
        (f"""SELECT c.acquiring_channel_id, count(l.id), count(a.arrears_since),
                    sum(a.balance) FILTER (WHERE a.arrears_since IS NOT NULL), avg(c.data_completeness)
             FROM customers_customer c JOIN customers_line l ON l.customer_id = c.id
             LEFT JOIN arrears_lineaccount a ON a.line_id = l.id
             WHERE c.acquiring_channel_id IS NOT NULL {s} GROUP BY 1""", []),
        (f"""SELECT count(*), sum(e.arrears_at_expiry) FROM arrears_emergencypass e
             JOIN customers_line l ON l.id = e.line_id JOIN customers_customer c ON c.id = l.customer_id
             WHERE e.arrears_at_expiry > 0 AND e.valid_until <= %s {s}""", [today]),
        (f"""SELECT count(*) FROM arrears_barringevent e JOIN customers_line l ON l.id = e.line_id
             JOIN customers_customer c ON c.id = l.customer_id
             WHERE e.at >= %s AND e.to_state = 'active' {s}""", [today - timedelta(days=365)]),
    )


def collection_queue(scope: Scope) -> list:
    s = scope.sql("c.account_manager_id")
    return _run(
        (f"""SELECT a.line_id, a.balance, a.arrears_since, l.msisdn, c.name
             FROM arrears_lineaccount a JOIN customers_line l ON l.id = a.line_id
             JOIN customers_customer c ON c.id = a.customer_id
             WHERE a.arrears_since IS NOT NULL {s} ORDER BY a.balance, a.line_id LIMIT 50""", []),
        (f"""SELECT count(*) FROM (SELECT 1 FROM arrears_lineaccount a JOIN customers_customer c
             ON c.id = a.customer_id WHERE a.arrears_since IS NOT NULL {s} LIMIT 10001) t""", []),
    )


def sp_settlement(scope: Scope) -> list:
    today = timezone.localdate()
    period = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return _run((
        """SELECT s.sp_id, sum(s.amount), count(*),
                  sum((b.amount - b.paid_amount) * s.amount / nullif(b.amount, 0))
                      FILTER (WHERE b.due_date < %s AND b.amount > b.paid_amount)
           FROM arrears_spcharge s JOIN arrears_bill b ON b.id = s.bill_id
           WHERE s.period = %s GROUP BY 1""", [today, period]))


def campaign_list(scope: Scope) -> list:
    return _run(("SELECT id, name, status FROM marketing_campaign ORDER BY id DESC LIMIT 50", []),
                ("SELECT count(*) FROM marketing_campaign", []))


def campaign_review(campaign, scope: Scope) -> list:
    """The target's size by star (the segment compiled by the product: its rules are the product's) and the
    province's history per star."""
    sql, params = campaign_target(campaign=campaign).values("pk").query.sql_with_params()
    s = scope.sql("c.account_manager_id")
    return _run(
        (f"SELECT c.credit_star, count(*) FROM customers_customer c WHERE c.id IN ({sql}) {s} GROUP BY 1", params),
        ("""SELECT c.credit_star, count(*), count(a.customer_id), sum(a.owed)
            FROM customers_customer c LEFT JOIN (SELECT customer_id, sum(-balance) AS owed FROM arrears_lineaccount
            WHERE arrears_since IS NOT NULL GROUP BY 1) a ON a.customer_id = c.id GROUP BY 1""", []),
    )


def campaign_results(campaign, scope: Scope) -> list:
    """Members by star with their bills after tagging (the participants' group)."""
    s = scope.sql("c.account_manager_id")
    return _run((f"""
        SELECT c.credit_star, m.how, count(DISTINCT m.customer_id), sum(b.amount),
               sum(b.amount - b.paid_amount) FILTER (WHERE b.due_date < %s AND b.paid_amount < b.amount)
        FROM marketing_campaignmember m JOIN customers_customer c ON c.id = m.customer_id
        LEFT JOIN arrears_bill b ON b.customer_id = m.customer_id AND b.period > m.tagged_at::date
        WHERE m.campaign_id = %s {s} GROUP BY 1, 2""", [timezone.localdate(), campaign.pk]))
