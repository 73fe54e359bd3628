"""The customer value's statements (arrears.value): each customer's value of the month, then the deciles within
its brand."""

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

# The month's cut points are taken once: the first chunk of the decile run, under a lock the others wait on.
CUTS_LOCK = "SELECT pg_advisory_xact_lock(hashtext(%s))"
CUTS_TAKEN = "SELECT EXISTS (SELECT 1 FROM arrears_valuedecilecut WHERE month = %s)"
