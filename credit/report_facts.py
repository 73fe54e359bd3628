"""The credit report's star counts pre-aggregated each night (batch `credit.report_facts`, after the ratings and
the star snapshot): customers per region, star and service status, per id-range chunk of customers, set-based,
one row per chunk and dimension value, in the chunk's transaction (core.batches: resumable, apply-once per day).
The stars are the nightly runs' anyway; the page says of which night.

Grain: by region (core.scope.aggregate_scope: a province-wide role, a regional manager); a manager's or a lead's
book is small and read live (credit.selectors.star_distribution), the live twin these readers answer like on the
facts' night (tests/credit/test_report_facts.py)."""

from datetime import date

from django.db import connection

from core.batches import batch_register, facts_forget_before, latest_done_day
from core.scope import aggregate_scope
from core.sql import time_zone
from credit import policies
from credit.selectors import STAR_ORDER
from credit.sql import report

REPORT_FACTS_KIND = "credit.report_facts"
REPORT_FACTS_CHUNK = 200_000  # customers per chunk: one index-only pass, well under a second each at 1M
KEEP_DAYS = 7  # older nights' facts are deleted when a new night's run is planned

@batch_register(REPORT_FACTS_KIND, table="customers_customer", chunk_size=REPORT_FACTS_CHUNK)
def report_facts_refresh(lo: int, hi: int, run) -> int:
    """The chunk's facts for the run's day: star counts and the outcome series since the first of its months.
    A chunk redone after a crash had its rows rolled back with it."""
    day = date.fromisoformat(run.period)
    params = {"day": day, "lo": lo, "hi": hi, "since": policies.outcome_months(day)[0], "tz": time_zone()}
    rows = 0
    with connection.cursor() as cur:
        for statement in (report.STAR_FACTS_SQL, *report.OUTCOME_FACTS_SQL):
            cur.execute(statement, params)
            rows += cur.rowcount
    return rows


def old_facts_forget(day: date) -> None:
    """Nights older than a week before `day`, but never the latest complete one (the pages read it until a newer
    night completes, however many nights failed since)."""
    before = facts_forget_before(REPORT_FACTS_KIND, day, KEEP_DAYS)
    with connection.cursor() as cur:
        for statement in (report.FORGET_STAR_FACTS_SQL, report.FORGET_OUTCOME_FACTS_SQL):
            cur.execute(statement, [before])


def facts_day() -> date | None:
    """The latest night whose facts are complete (every chunk done), or None."""
    return latest_done_day(REPORT_FACTS_KIND)


def facts_scope(user) -> tuple[date, int | None] | None:
    """(night, region or None for the province) when the user's star counts can be read from the facts, once a
    night's are complete; None (read live) for a narrower scope or before the first complete night."""
    scope = aggregate_scope(user)
    if scope is None:
        return None
    day = facts_day()
    return None if day is None else (day, scope[1])


def customer_counts(day: date, region_id: int | None) -> list[tuple]:
    """(star, status, customers) on `day`'s night for the province (region None) or a region: the same counts
    the home page's "at a glance" figures show (workspace.home_facts reads them here rather than counting again)."""
    params = [] if region_id is None else [region_id]
    with connection.cursor() as cur:
        cur.execute(report.star_status_counts_sql(by_region=region_id is not None), [day, *params])
        return [(star, status, int(n)) for star, status, n in cur.fetchall()]


def star_distribution(day: date, region_id: int | None, *, open_only: bool = False) -> list[tuple]:
    """(star, count, share %) as credit.selectors.star_distribution answers for the province (region None) or a
    region on `day`'s night; `open_only` leaves closed customers out (the star shares against the targets)."""
    params = [] if region_id is None else [region_id]
    with connection.cursor() as cur:
        cur.execute(report.star_counts_sql(by_region=region_id is not None, open_only=open_only), [day, *params])
        counts = {star: int(n) for star, n in cur.fetchall()}
    total = sum(counts.values()) or 1
    return [(star, counts.get(star, 0), round(100 * counts.get(star, 0) / total, 2)) for star in STAR_ORDER]


def outcome_series(day: date, region_id: int | None, *, since: date) -> tuple[dict, dict] | None:
    """({(month, class): average barred days}, {(month, holder): customers churned}) since `since`, on `day`'s
    night for the province (region None) or a region, as credit.outcomes counts them live; None when that night
    has no outcome facts at all (a night counted before they existed: read live)."""
    params = [day, since] + ([] if region_id is None else [region_id])
    durations, churned = {}, {}
    with connection.cursor() as cur:
        cur.execute(report.OUTCOME_FACTS_EXIST_SQL, [day])
        if not cur.fetchone()[0]:
            return None
        cur.execute(report.outcome_facts_sql(by_region=region_id is not None), params)
        for measure, month, credit_class, average_days, n in cur.fetchall():
            if measure == "barring":
                durations[(month, credit_class)] = float(average_days)
            else:
                churned[(month, credit_class == "holder")] = int(n)
    return durations, churned
