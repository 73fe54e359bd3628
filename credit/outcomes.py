"""Shanxi's outcome figures (source 004), measured on the product's own data, month by month, for the reader's
customers: barring duration of credit holders before/after their credit and of non-holders (Shanxi: −75 %);
churn of credit holders vs others (0.09 % vs 2.01 %); arrears recovered after emergency continuity within 1
and 4 months (> 85 %, > 95 %: arrears.selectors); star shares against the targets, closed customers excluded.
"""

from datetime import date

from django.db import connection
from django.utils import timezone

from core.sql import time_zone
from credit import policies, report_facts
from credit.selectors import star_distribution
from credit.sql import report
from customers.models import Customer

SHANXI = {"barring_cut_pct": -75, "churn_holders_pct": 0.09, "churn_others_pct": 2.01, "recovered_1m_pct": 85,
          "recovered_4m_pct": 95}


def _pct(part, whole):
    return round(100 * part / whole, 2) if whole else None


def outcomes(*, user, months: int = policies.OUTCOME_MONTHS, today: date | None = None,
             live: bool = False) -> dict:
    """The series month by month and the star shares; for the province or a region read from last night's facts
    (credit.report_facts) unless `live` or `today` is given, for a book counted live."""
    facts = None if live or today else report_facts.facts_scope(user)
    today = today or timezone.localdate()
    series_months = policies.outcome_months(today, months)
    since = series_months[0]
    series = report_facts.outcome_series(*facts, since=since) if facts is not None else None
    durations, churned = series if series is not None else _series_live(user, since)
    shares = star_shares(user=user, facts=facts)
    if facts is not None:  # the open customers per star, as POPULATION_SQL counts them
        holders_now = sum(r["customers"] for r in shares if r["star"] is not None and r["star"] >= 1)
        others_now = sum(r["customers"] for r in shares) - holders_now
    else:
        with connection.cursor() as cur:
            cur.execute(*report.population_sql(user))
            holders_now, others_now = cur.fetchone()
    rows = []
    for month in series_months:
        h, o = churned.get((month, True), 0), churned.get((month, False), 0)
        rows.append({"month": f"{month:%Y-%m}", "before": durations.get((month, "before")),
                     "after": durations.get((month, "after")), "others": durations.get((month, "others")),
                     "churn_holders": _pct(h, holders_now + h), "churn_others": _pct(o, others_now + o)})
    return {"series": rows, "shanxi": SHANXI, "star_shares": shares,
            "facts_night": facts[0] if facts else None}


def _series_live(user, since: date) -> tuple[dict, dict]:
    """The outcome series of the user's customers counted now, as credit.report_facts.outcome_series answers."""
    with connection.cursor() as cur:
        statement, params = report.durations_sql(user)
        cur.execute(statement, {"since": since, "tz": time_zone(), **params})
        durations = {(m, k): float(v) for m, k, v in cur.fetchall()}
        statement, params = report.churn_sql(user)
        cur.execute(statement, {"since": since, **params})
        return durations, {(m, holder): n for m, holder, n in cur.fetchall()}


def star_shares(*, user, facts: tuple[date, int | None] | None = None) -> list[dict]:
    """Share of each star among the reader's rated-or-not customers, closed excluded, against 1/7/7/15/20/50 %;
    from the night's facts (night, region) when given."""
    shares = (report_facts.star_distribution(*facts, open_only=True) if facts
              else star_distribution(Customer.objects.visible_to(user).exclude(status="closed")))
    return [{"star": star, "customers": n, "share": share,
             "target": float(policies.star_policy(star).target_share * 100) if star is not None else None}
            for star, n, share in shares]
