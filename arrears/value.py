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
from core import batches
from core.batches import register_batch
from core.scope import customer_scope_q
from credit.features import DECILE_KIND, VALUE_KIND  # one name for each run, read by credit's value factor

COST_FIELDS = ("interconnect", "handset_subsidy", "discount", "commission")
WINDOW_MONTHS = 3
VALUE_CHUNK = 50_000
TOP_DECILES = (1, 2)        # the top 20 %
BOTTOM_DECILES = (8, 9, 10)  # the bottom 30 %

VALUE_SQL = """
WITH billed AS (
    SELECT b.customer_id, sum(b.amount) AS revenue, count(DISTINCT b.period) AS months,
           sum(coalesce(c.interconnect + c.handset_subsidy + c.discount + c.commission, 0)) AS cost_items
    FROM arrears_bill b LEFT JOIN arrears_billcost c ON c.bill_id = b.id
    WHERE b.customer_id >= %(lo)s AND b.customer_id < %(hi)s AND b.period BETWEEN %(start)s AND %(month)s
    GROUP BY b.customer_id
    HAVING bool_or(b.period = %(month)s)  -- not billed that month: unknown (no row), not a value from older bills
), settled AS (
    SELECT b.customer_id, sum(s.amount) AS sp
    FROM arrears_spcharge s JOIN arrears_bill b ON b.id = s.bill_id
    WHERE b.customer_id >= %(lo)s AND b.customer_id < %(hi)s AND b.period BETWEEN %(start)s AND %(month)s
    GROUP BY b.customer_id
)
INSERT INTO arrears_customervalue (customer_id, month, brand_id, revenue, cost, value, arpu, decile)
SELECT billed.customer_id, %(month)s, c.brand_id, revenue, cost_items + coalesce(sp, 0),
       revenue - cost_items - coalesce(sp, 0), round(revenue / months, 2), NULL
FROM billed JOIN customers_customer c ON c.id = billed.customer_id
LEFT JOIN settled ON settled.customer_id = billed.customer_id
ON CONFLICT (customer_id, month) DO UPDATE
   SET brand_id = EXCLUDED.brand_id, revenue = EXCLUDED.revenue, cost = EXCLUDED.cost, value = EXCLUDED.value,
       arpu = EXCLUDED.arpu
"""

# Source 000 (Hunan Mobile): "湖南移动已经拥有全球通、动感地带和神州行三个品牌,子市场已经形成。现阶段重点是在每个
# 品牌中按照客户价值进行细分,对于低价值客户要适当降低授信额度,高价值客户要提高客户授信额度" - the value deciles
# rank customers within their brand (each customer once, in the brand of the customer, not of each line's plan).
# The cut points of every brand of the month, in one statement over the month (the one sort of the decile run):
# cuts[k] = the value at the (k+1)/10 point from the top, i.e. the lowest value of decile k+1.
CUTS_SQL = """
INSERT INTO arrears_valuedecilecut (month, brand_id, cuts, customers, computed_at)
SELECT %(month)s, brand_id,
       percentile_disc(ARRAY[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) WITHIN GROUP (ORDER BY value DESC),
       count(*), now()
FROM arrears_customervalue WHERE month = %(month)s
GROUP BY brand_id
ON CONFLICT (month, brand_id) DO NOTHING
"""

# Each chunk compares its rows to their brand's cut points: decile = 1 + the cuts above the value (ties share a
# decile). Deterministic given the cuts, so a chunk redone after a killed worker writes the same deciles.
DECILE_SQL = """
UPDATE arrears_customervalue v SET decile = 1 + (SELECT count(*) FROM unnest(k.cuts) AS cut WHERE cut > v.value)
FROM arrears_valuedecilecut k
WHERE k.month = v.month AND k.brand_id = v.brand_id
  AND v.month = %(month)s AND v.id >= %(lo)s AND v.id < %(hi)s
"""


def month_of(period: str) -> date:
    return date.fromisoformat(f"{period}-01")


def month_billed(period: str) -> bool:
    """Billing sent bills for the month (`period` 'YYYY-MM'): a month without any is unknown, never valued as 0."""
    return Bill.objects.filter(period=month_of(period)).exists()


def window_start(month: date) -> date:
    index = month.year * 12 + month.month - 1 - (WINDOW_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1)


@register_batch(VALUE_KIND, table="customers_customer", chunk_size=VALUE_CHUNK)
def values(lo: int, hi: int, run) -> int:
    month = month_of(run.period)
    with connection.cursor() as cur:
        cur.execute(VALUE_SQL, {"lo": lo, "hi": hi, "month": month, "start": window_start(month)})
        return cur.rowcount


def decile_cuts_take(month: date) -> None:
    """The month's cut points, once: the first chunk of the decile run takes them (in its own transaction, so a
    killed worker's cuts roll back with its chunk); the others wait on the lock, then find them."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"arrears.value_cuts:{month:%Y-%m}"])
        cur.execute("SELECT EXISTS (SELECT 1 FROM arrears_valuedecilecut WHERE month = %s)", [month])
        if not cur.fetchone()[0]:
            cur.execute(CUTS_SQL, {"month": month})


@register_batch(DECILE_KIND, table="arrears_customervalue", chunk_size=VALUE_CHUNK)
def deciles(lo: int, hi: int, run) -> int:
    month = month_of(run.period)
    decile_cuts_take(month)
    with connection.cursor() as cur:
        cur.execute(DECILE_SQL, {"lo": lo, "hi": hi, "month": month})
        return cur.rowcount


def value_in_process(period: str) -> int:
    """Run (or finish) a month's values and then its deciles here, without workers: demo set-up and tests."""
    rows = 0
    for kind in (VALUE_KIND, DECILE_KIND):
        run = batches.plan_run(kind=kind, period=period)
        for chunk_id in batches.pending_chunk_ids(run):
            batches.run_chunk(chunk_id)
        run.refresh_from_db()
        rows = run.rows_affected
    return rows


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
