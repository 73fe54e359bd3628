"""Shanxi's outcome figures (source 004), measured on the product's own data, month by month, for the reader's
customers: barring duration of credit holders before/after their credit and of non-holders (Shanxi: −75 %);
churn of credit holders vs others (0.09 % vs 2.01 %); arrears recovered after emergency continuity within 1
and 4 months (> 85 %, > 95 %: arrears.selectors); star shares against the targets, closed customers excluded.
"""

from datetime import date

from django.db import connection
from django.utils import timezone

from core.sql import customer_scope_sql
from credit import policies

SHANXI = {"barring_cut_pct": -75, "churn_holders_pct": 0.09, "churn_others_pct": 2.01, "recovered_1m_pct": 85,
          "recovered_4m_pct": 95}


def _months(today: date, n: int) -> list[date]:
    first = today.replace(day=1)
    out = []
    for _ in range(n):
        out.append(first)
        first = (first.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    return sorted(out)


# Each restoration with the barring before it on the same line, classed by the customer's credit: a holder's
# barring before their first credit (a rating to 1★+), after it, or a customer who never held credit.
DURATIONS_SQL = """
WITH ordered AS (
    SELECT e.line_id, l.customer_id, e.to_state, e.at,
           lag(e.to_state) OVER w AS previous_state, lag(e.at) OVER w AS previous_at
    FROM arrears_barringevent e JOIN customers_line l ON l.id = e.line_id
    WHERE e.at >= %(since)s {scope}
    WINDOW w AS (PARTITION BY e.line_id ORDER BY e.at, e.id)
),
first_credit AS (
    SELECT customer_id, min(decided_at) AS at FROM credit_rating WHERE new_star >= 1 GROUP BY customer_id
)
SELECT date_trunc('month', o.at AT TIME ZONE 'Asia/Shanghai')::date AS month,
       CASE WHEN f.at IS NULL THEN 'others' WHEN o.previous_at < f.at THEN 'before' ELSE 'after' END AS class,
       round(avg(extract(epoch FROM o.at - o.previous_at) / 86400)::numeric, 1)
FROM ordered o LEFT JOIN first_credit f ON f.customer_id = o.customer_id
WHERE o.to_state = 'active' AND o.previous_state IN ('one_way_barred', 'two_way_barred', 'in_retention')
GROUP BY 1, 2
"""

# Customers whose last line closed in the month, holders (the closure ended a 1★+ star) and others, over the
# customers open at the month's start (holders: 1★+ then, from the rating history).
CHURN_SQL = """
WITH closed AS (
    SELECT l.customer_id, max(l.closed_on) AS on_day FROM customers_line l
    JOIN customers_customer c ON c.id = l.customer_id
    WHERE c.status = 'closed' {scope} GROUP BY l.customer_id
),
holder_at_closure AS (
    SELECT DISTINCT customer_id FROM credit_rating WHERE rule = 'closed' AND old_star >= 1
)
SELECT date_trunc('month', cl.on_day)::date, (h.customer_id IS NOT NULL) AS holder, count(*)
FROM closed cl LEFT JOIN holder_at_closure h ON h.customer_id = cl.customer_id
WHERE cl.on_day >= %(since)s GROUP BY 1, 2
"""
POPULATION_SQL = """
SELECT count(*) FILTER (WHERE c.credit_star >= 1), count(*) FILTER (WHERE c.credit_star IS NULL OR c.credit_star < 1)
FROM customers_customer c WHERE c.status <> 'closed' {scope}
"""


def _pct(part, whole):
    return round(100 * part / whole, 2) if whole else None


def outcomes(*, user, months: int = 12, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    series_months = _months(today, months)
    since = series_months[0]
    c_scope, c_params = customer_scope_sql(user, "c.id")
    l_scope, l_params = customer_scope_sql(user, "l.customer_id")
    with connection.cursor() as cur:
        cur.execute(DURATIONS_SQL.replace("{scope}", _named(l_scope, "d")), {"since": since, **_params("d", l_params)})
        durations = {(m, k): float(v) for m, k, v in cur.fetchall()}
        cur.execute(CHURN_SQL.replace("{scope}", _named(c_scope, "c")), {"since": since, **_params("c", c_params)})
        churned = {(m, holder): n for m, holder, n in cur.fetchall()}
        cur.execute(POPULATION_SQL.replace("{scope}", _named(c_scope, "p")), _params("p", c_params))
        holders_now, others_now = cur.fetchone()
    rows = []
    for month in series_months:
        h, o = churned.get((month, True), 0), churned.get((month, False), 0)
        rows.append({"month": f"{month:%Y-%m}", "before": durations.get((month, "before")),
                     "after": durations.get((month, "after")), "others": durations.get((month, "others")),
                     "churn_holders": _pct(h, holders_now + h), "churn_others": _pct(o, others_now + o)})
    return {"series": rows, "shanxi": SHANXI, "star_shares": star_shares(user=user)}


def _named(scope_sql: str, prefix: str) -> str:
    """customer_scope_sql's positional %s as named parameters (the statements above use named ones)."""
    parts = scope_sql.split("%s")
    return "".join(p + (f"%({prefix}{i})s" if i < len(parts) - 1 else "") for i, p in enumerate(parts))


def _params(prefix: str, params: list) -> dict:
    return {f"{prefix}{i}": v for i, v in enumerate(params)}


def star_shares(*, user) -> list[dict]:
    """Share of each star among the reader's rated-or-not customers, closed excluded, against 1/7/7/15/20/50 %."""
    from customers.models import Customer

    from credit.selectors import star_distribution

    shares = star_distribution(Customer.objects.visible_to(user).exclude(status="closed"))
    return [{"star": star, "customers": n, "share": share,
             "target": float(policies.star_policy(star).target_share * 100) if star is not None else None}
            for star, n, share in shares]
