"""Marketing's raw SQL: the nightly usage facts campaign segments read (plan saturation of the window before the
run's day: %(first)s to %(end)s come from the run's period, never now()), a segment's tagging, the campaign
results' groups (live and their nightly facts) and the historical figures per star."""

from core.sql import table
from customers.models import UsageSummary
from marketing.models import CampaignMember, UsageFacts

FACTS, USAGE = table(UsageFacts), table(UsageSummary)

# Plan saturation of the 3 complete months before the run's day, for customers with id in [lo, hi).
FACTS_UPSERT_SQL = f"""
INSERT INTO {FACTS} (customer_id, plan_saturation, window_end)
SELECT customer_id, round(avg(plan_saturation), 2), %(end)s FROM {USAGE}
WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month >= %(first)s AND month < %(end)s
GROUP BY customer_id
ON CONFLICT (customer_id) DO UPDATE
    SET plan_saturation = EXCLUDED.plan_saturation, window_end = EXCLUDED.window_end
    WHERE ({FACTS}.plan_saturation, {FACTS}.window_end)
          IS DISTINCT FROM (EXCLUDED.plan_saturation, EXCLUDED.window_end)"""

# Customers without usage in the window have no saturation.
FACTS_STALE_DELETE_SQL = f"""
DELETE FROM {FACTS}
WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND window_end <> %(end)s"""


def segment_tag_sql(target_sql: str) -> str:
    """Every customer of the segment (`target_sql`: the ids, compiled by the ORM) tagged as targeted, in one
    INSERT … SELECT; parameters: campaign, how, tagged_at, tagged_by, then the target's."""
    return f"""
            INSERT INTO {table(CampaignMember)} (campaign_id, customer_id, how, tagged_at, tagged_by_id)
            SELECT %s, t.id, %s, %s, %s FROM ({target_sql}) AS t (id)
            ON CONFLICT (campaign_id, customer_id) DO NOTHING"""


# After a launch tags a whole segment at once, plan the groups with its statistics (a 1-row estimate made a chunk
# run for minutes).
MEMBERS_ANALYZE = f"ANALYZE {table(CampaignMember)}"

# ---------------------------------------------------------------- campaign results (marketing.results)

# One group's figures per star; {members}: the group's (customer_id, start) rows.
GROUP_SQL = """
WITH grp AS ({members}),
after AS (  -- billing periods that start after the member's start day (a period is its month's first day)
    SELECT g.customer_id, count(DISTINCT b.period) AS periods, sum(b.amount) AS revenue,
           coalesce(sum(b.amount - b.paid_amount) FILTER (WHERE b.due_date < %(today)s
                                                            AND b.paid_amount < b.amount), 0) AS owed
    FROM grp g JOIN arrears_bill b ON b.customer_id = g.customer_id AND b.period > g.start
    GROUP BY g.customer_id),
before AS (
    SELECT g.customer_id, count(DISTINCT b.period) AS periods, sum(b.amount) AS revenue
    FROM grp g JOIN arrears_bill b ON b.customer_id = g.customer_id
     AND b.period < date_trunc('month', g.start)::date
     AND b.period >= (date_trunc('month', g.start) - make_interval(months => %(pre)s))::date
    GROUP BY g.customer_id),
churned AS (  -- closed after the start: every line closed, the last one after the start day; LATERAL: from each
    -- member to its customer by key, whatever the estimate of closed customers (a stale one nested the group inside
    -- every closed customer at 1M)
    SELECT g.customer_id FROM grp g
    CROSS JOIN LATERAL (SELECT c.status FROM customers_customer c WHERE c.id = g.customer_id) c
    WHERE c.status = 'closed'
      AND (SELECT max(l.closed_on) FROM customers_line l WHERE l.customer_id = g.customer_id) > g.start)
SELECT c.credit_star, count(*), count(ch.customer_id), count(*) FILTER (WHERE a.owed > 0),
       coalesce(sum(a.owed), 0), coalesce(sum(a.periods), 0), coalesce(sum(a.revenue), 0),
       count(*) FILTER (WHERE a.periods > 0),
       coalesce(sum(bf.revenue / bf.periods * a.periods) FILTER (WHERE bf.periods > 0 AND a.periods > 0), 0),
       coalesce(sum(a.revenue) FILTER (WHERE bf.periods > 0 AND a.periods > 0), 0)
FROM grp g JOIN customers_customer c ON c.id = g.customer_id
LEFT JOIN after a ON a.customer_id = g.customer_id
LEFT JOIN before bf ON bf.customer_id = g.customer_id
LEFT JOIN churned ch ON ch.customer_id = g.customer_id
GROUP BY c.credit_star"""

# A group of tagged members, each from the day tagged; {scope}: a condition on m.customer_id.
MEMBERS_SQL = """SELECT m.customer_id, (m.tagged_at AT TIME ZONE %(tz)s)::date AS start
    FROM marketing_campaignmember m WHERE m.campaign_id = %(campaign)s AND m.how = ANY(%(hows)s) {scope}"""



def baseline_members_sql(target_sql: str, chunk: str = "") -> str:
    """The baseline: the segment's customers (`target_sql`, named parameters) who did not take the offer, from the
    launch day; `chunk`: a condition on t.id."""
    return f"""SELECT t.id AS customer_id, %(launch)s::date AS start FROM ({target_sql}) AS t (id)
        WHERE NOT EXISTS (SELECT 1 FROM marketing_campaignmember m WHERE m.campaign_id = %(campaign)s
                          AND m.customer_id = t.id AND m.how = ANY(%(hows)s)) {chunk}"""


MEMBERS_IN_CHUNK = MEMBERS_SQL.format(scope="AND m.customer_id >= %(lo)s AND m.customer_id < %(hi)s")
BASELINE_IN_CHUNK = "AND t.id >= %(lo)s AND t.id < %(hi)s"

# The groups per region and star into the night's facts (batch marketing.results_facts).
FACTS_SQL = GROUP_SQL.replace("\nSELECT c.credit_star,", """
INSERT INTO marketing_campaigngroupfact (day, chunk_lo, campaign_id, "group", region_id, credit_star, customers,
    churned, in_arrears, owed, periods, revenue, billed, expected_own, revenue_with_pre)
SELECT %(today)s, %(lo)s, %(campaign)s, %(group)s, c.region_id, c.credit_star,""").replace(
    "GROUP BY c.credit_star", "GROUP BY c.region_id, c.credit_star")
assert FACTS_SQL.count("INSERT") == 1 and "GROUP BY c.region_id" in FACTS_SQL, "GROUP_SQL's select list moved"


def group_from_facts_sql(*, by_region: bool) -> str:
    """A group as GROUP_SQL returns it, summed from the night's facts (`by_region`: of %(region)s only)."""
    region = "AND region_id = %(region)s" if by_region else ""
    return f"""
            SELECT credit_star, sum(customers), sum(churned), sum(in_arrears), sum(owed), sum(periods), sum(revenue),
                   sum(billed), sum(expected_own), sum(revenue_with_pre)
            FROM marketing_campaigngroupfact
            WHERE campaign_id = %(campaign)s AND day = %(day)s AND "group" = %(group)s {region}
            GROUP BY credit_star"""


# ---------------------------------------------------------------- historical figures per star (marketing.selectors)

HISTORY_FROM_ACCOUNTS = """
    SELECT c.credit_star, count(*), count(a.owed), coalesce(sum(a.owed), 0),
           count(*) FILTER (WHERE c.status = 'closed')
    FROM customers_customer c
    LEFT JOIN (SELECT customer_id, sum(greatest(-balance, 0)) AS owed FROM arrears_lineaccount
               WHERE arrears_since IS NOT NULL GROUP BY customer_id) a ON a.customer_id = c.id
    GROUP BY c.credit_star"""
# Before the first nightly arrears run there are no line accounts: bills overdue and unpaid stand in.
HISTORY_FROM_BILLS = """
    SELECT c.credit_star, count(*), count(a.owed), coalesce(sum(a.owed), 0),
           count(*) FILTER (WHERE c.status = 'closed')
    FROM customers_customer c
    LEFT JOIN (SELECT customer_id, sum(amount - paid_amount) AS owed FROM arrears_bill
               WHERE due_date < %s AND paid_amount < amount GROUP BY customer_id) a ON a.customer_id = c.id
    GROUP BY c.credit_star"""

# ---------------------------------------------------------------- bench_segment (never run by the product)

CUSTOMER_ID_BOUNDS = "SELECT min(id), max(id) FROM customers_customer"
FACTS_ANALYZE = f"ANALYZE {FACTS}"
BENCH_FLOOR = "SELECT count(*) FROM customers_customer"  # the cheapest possible read of the province
