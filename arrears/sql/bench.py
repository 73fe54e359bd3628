"""The benchmark commands' statements (arrears/management/commands/bench_*): the hand-written floors they are
measured against and their set-up. Never run by the product."""

# ---------------------------------------------------------------- bench_arrears

SETUP = """
UPDATE arrears_lineaccount a SET
    balance = CASE WHEN a.line_id %% 100 IN (0, 1) THEN 3 - c.credit_limit
                   WHEN a.line_id %% 100 IN (2, 3, 4) THEN -c.credit_limit - 25
                   ELSE 100 END,
    state = CASE WHEN a.line_id %% 100 = 4 THEN 'one_way_barred' ELSE 'active' END,
    state_since = %(day)s::date - 40, exempt_until = NULL,
    arrears_since = CASE WHEN a.line_id %% 100 = 4 THEN %(day)s::date - 40 END
FROM customers_customer c WHERE c.id = a.customer_id AND a.line_id >= %(lo)s AND a.line_id < %(hi)s
"""

# The floor: the late fees, then the state moves, by hand (two statements: FLOOR.split(";\n\n")).
FLOOR = """
WITH overdue AS (
    SELECT line_id, sum(amount - paid_amount) AS owed FROM arrears_bill
    WHERE line_id >= %(lo)s AND line_id < %(hi)s AND due_date < %(day)s AND paid_amount < amount
    GROUP BY line_id
),
fees AS (
    INSERT INTO arrears_ledgerentry (line_id, kind, amount, posted_at, reference, note)
    SELECT line_id, 'late_fee', -round(owed * 0.003, 2), now(), 'floor-fee-' || line_id || '-' || %(day)s, ''
    FROM overdue WHERE round(owed * 0.003, 2) > 0
    RETURNING line_id, amount
)
UPDATE arrears_lineaccount a SET balance = a.balance + f.amount FROM fees f WHERE a.line_id = f.line_id;

WITH d AS (
    SELECT a.line_id, a.state, a.balance + c.credit_limit AS usable,
           CASE WHEN a.state = 'active' AND a.balance + c.credit_limit < 0 THEN 'one_way_barred'
                WHEN a.state = 'one_way_barred' AND a.balance + c.credit_limit < 0
                     AND %(day)s::date - a.arrears_since >= 30 THEN 'two_way_barred'
                WHEN a.state = 'active' AND a.balance + c.credit_limit < greatest(round(c.credit_limit * 0.2, 2), 5)
                     THEN 'reminded' END AS new_state
    FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
    WHERE a.line_id >= %(lo)s AND a.line_id < %(hi)s AND a.state <> 'closed'
),
moved AS (
    UPDATE arrears_lineaccount a SET state = d.new_state, state_since = %(day)s,
           arrears_since = CASE WHEN d.usable < 0 THEN coalesce(a.arrears_since, %(day)s) END
    FROM d WHERE a.line_id = d.line_id AND d.new_state IS NOT NULL
),
lined AS (
    UPDATE customers_line l SET status = CASE WHEN d.new_state = 'reminded' THEN 'active' ELSE d.new_state END
    FROM d WHERE l.id = d.line_id AND d.new_state IS NOT NULL AND d.new_state <> 'reminded'
)
INSERT INTO arrears_barringevent (line_id, from_state, to_state, rule, usable_credit, policy_version, at)
SELECT line_id, state, new_state, 'floor', usable, 'floor', now() FROM d WHERE new_state IS NOT NULL
"""

LINE_ID_RANGE = "SELECT min(id), max(id) + 1 FROM customers_line"
NTH_LINE_ID = "SELECT id FROM customers_line ORDER BY id OFFSET %s LIMIT 1"
ANALYZE_ACCOUNTS = "ANALYZE arrears_lineaccount"
STRESSED_ACCOUNTS = ("SELECT count(*), count(*) FILTER (WHERE balance < 100) FROM arrears_lineaccount "
                     "WHERE line_id >= %s AND line_id < %s")

# ---------------------------------------------------------------- bench_bulk_intake: the floors (one INSERT each)

FLOOR_PAYMENTS = (
    "INSERT INTO arrears_payment (line_id, customer_id, amount, paid_at, channel, reference) "
    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::numeric[], %s::timestamptz[], %s::text[], "
    "%s::text[])")
FLOOR_BILLS = (
    "INSERT INTO arrears_bill (line_id, customer_id, period, amount, due_date, paid_amount) "
    "SELECT *, 0 FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::numeric[], %s::date[])")
FLOOR_USAGE = (
    "INSERT INTO customers_usagesummary (line_id, customer_id, month, voice_minutes, data_mb, sms_count, "
    "competitor_hotline_calls, plan_saturation, broadband_bundled, bill_amount, prepaid_balance) "
    "SELECT *, 300, 4096, 9, 0, 71, false, 58, 12 FROM unnest(%s::bigint[], %s::bigint[], %s::date[])")
FLOOR_LINE_STATUS = (
    "INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source) "
    "SELECT *, 'active', 'one_way_barred', %s::timestamptz, 'network barring', 'billing' "
    "FROM unnest(%s::bigint[])")
FLOOR_CUSTOMERS = (
    "INSERT INTO customers_customer (created_at, updated_at, name, id_type, id_number, id_last4, gender, "
    "address, occupation, industry, workplace, region_id, brand_id, join_date, status, acquiring_channel_id, "
    "vip_tier, lifecycle_stage, credit_limit, avg_monthly_spend, data_completeness) "
    "SELECT now(), now(), '压测客户', 'resident_id', v, right(v, 4), '', '', '', '', '', %s, %s, "
    "current_date, 'active', %s, 'ordinary_1', 'exploration', 0, 0, 40 FROM unnest(%s::text[]) AS v")

# The tables a run writes (and rolls back). Each run leaves its rows dead, and a cluster without autovacuum (the
# bench machines') keeps them: after a few runs every update and scan of these tables wades through 10–30 dead
# versions per live row, and the figures measure the bench's own leftovers. Vacuumed before each run.
WRITTEN = ("customers_customer", "customers_line", "customers_linestatuschange", "customers_usagesummary",
           "customers_decisionevent", "customers_historicalcustomer", "customers_historicalline",
           "customers_onboardingcallback", "arrears_lineaccount", "arrears_bill", "arrears_payment",
           "arrears_ledgerentry", "arrears_barringevent", "credit_smsmessage", "core_idempotencyrecord")
VACUUM_WRITTEN = f"VACUUM (ANALYZE) {', '.join(WRITTEN)}"
