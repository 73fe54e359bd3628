"""The customer value model (source 000: 客户当前价值 = 出账收入 − 可归属成本; 80/20/30; 定位负价值客户).

Current value over the 3 billed months up to a month = billed revenue − attributable costs (the cost items that
arrive with the bills: interconnect, handset subsidy, discount, channel commission; plus the SP charges, which
are paid out in the SP settlement). ARPU = revenue per billed month. Deciles rank the customers of each brand by
value (1 = the top 10 % of the brand). Two set-based monthly batches: the values per customer chunk, then the
deciles: their cut points taken once per (month, brand) over the whole month (so it runs once the values are done),
each chunk comparing its rows to them.
"""

from datetime import date

from django.db import connection
from django.db.models import Count, Q, Sum

from arrears.models import Bill, CustomerValue
from arrears.sql.value import CUTS_LOCK, CUTS_SQL, CUTS_TAKEN, DECILE_SQL, VALUE_SQL
from core import batches
from core.batches import batch_register
from core.scope import customer_scope_q
from credit.features import DECILE_KIND, VALUE_KIND  # one name for each run, read by credit's value factor

COST_FIELDS = ("interconnect", "handset_subsidy", "discount", "commission")
WINDOW_MONTHS = 3
VALUE_CHUNK = 50_000
TOP_DECILES = (1, 2)        # the top 20 %
BOTTOM_DECILES = (8, 9, 10)  # the bottom 30 %


def month_of(period: str) -> date:
    return date.fromisoformat(f"{period}-01")


def month_billed(period: str) -> bool:
    """Billing sent bills for the month (`period` 'YYYY-MM'): a month without any is unknown, never valued as 0."""
    return Bill.objects.filter(period=month_of(period)).exists()


def window_start(month: date) -> date:
    index = month.year * 12 + month.month - 1 - (WINDOW_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1)


@batch_register(VALUE_KIND, table="customers_customer", chunk_size=VALUE_CHUNK)
def values(lo: int, hi: int, run) -> int:
    month = month_of(run.period)
    with connection.cursor() as cur:
        cur.execute(VALUE_SQL, {"lo": lo, "hi": hi, "month": month, "start": window_start(month)})
        return cur.rowcount


def decile_cuts_take(month: date) -> None:
    """The month's cut points, once: the first chunk of the decile run takes them (in its own transaction, so a
    killed worker's cuts roll back with its chunk); the others wait on the lock, then find them."""
    with connection.cursor() as cur:
        cur.execute(CUTS_LOCK, [f"arrears.value_cuts:{month:%Y-%m}"])
        cur.execute(CUTS_TAKEN, [month])
        if not cur.fetchone()[0]:
            cur.execute(CUTS_SQL, {"month": month})


@batch_register(DECILE_KIND, table="arrears_customervalue", chunk_size=VALUE_CHUNK)
def deciles(lo: int, hi: int, run) -> int:
    month = month_of(run.period)
    decile_cuts_take(month)
    with connection.cursor() as cur:
        cur.execute(DECILE_SQL, {"lo": lo, "hi": hi, "month": month})
        return cur.rowcount


def value_in_process(period: str) -> int:
    """Run (or finish) a month's values and then its deciles here, without workers: demo set-up and tests."""
    batches.batch_run_in_process(VALUE_KIND, period)
    return batches.batch_run_in_process(DECILE_KIND, period).rows_affected


# ---------------------------------------------------------------- reads

def customer_value_latest(*, customer):
    """The customer's latest ranked value (None before the first monthly run)."""
    return CustomerValue.objects.filter(customer=customer).order_by("-month").first()


def latest_values(*, customer_ids: list[int]) -> dict:
    """{customer id: latest CustomerValue} for a page of customers, in one query."""
    rows = (CustomerValue.objects.filter(customer_id__in=customer_ids).order_by("customer_id", "-month")
            .distinct("customer_id"))
    return {row.customer_id: row for row in rows}


def value_report_live(*, user) -> dict | None:
    """The latest month's value distribution for the reader's customers (80/20/30, source 000): the share of
    value the top 20 % (deciles 1–2 of their brand) bring, and what the bottom 30 % (deciles 8–10) cost.
    Counted now (arrears.selectors.value_report reads the night's facts where it can)."""
    month = (CustomerValue.objects.filter(decile__isnull=False).order_by("-month")
             .values_list("month", flat=True).first())
    if month is None:
        return None
    rows = CustomerValue.objects.filter(customer_scope_q(user, prefix="customer__"), month=month,
                                        decile__isnull=False)
    top, bottom = Q(decile__in=TOP_DECILES), Q(decile__in=BOTTOM_DECILES)
    figures = rows.aggregate(
        customers=Count("id"), total=Sum("value"), revenue=Sum("revenue"),
        top_customers=Count("id", filter=top), top_value=Sum("value", filter=top),
        bottom_customers=Count("id", filter=bottom), bottom_value=Sum("value", filter=bottom),
        bottom_cost=Sum("cost", filter=bottom), negative=Count("id", filter=Q(value__lt=0)),
        negative_value=Sum("value", filter=Q(value__lt=0)))
    return with_top_share({"month": month, **figures})


def with_top_share(figures: dict) -> dict:
    """The share of the total value the top 20 % bring (None without a positive total)."""
    total = figures["total"] or 0
    top = figures["top_value"]
    return {**figures, "top_share": round(100 * top / total, 1) if total > 0 and top else None}
