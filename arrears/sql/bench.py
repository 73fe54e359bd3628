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
# (FLOOR_LINE_STATUS is timed after the post, when the lines already have the new status: the old one, as the post
# found it, is 'active'.)
# Each floor starts from what the request carries: the lines' numbers (found in customers_line, as the post must
# find them) and each item's own values as arrays, not line ids the bench looked up before its clock started.

FLOOR_PAYMENTS = (
    "INSERT INTO arrears_payment (line_id, customer_id, amount, paid_at, channel, reference) "
    "SELECT l.id, l.customer_id, v.amount, v.paid_at, v.channel, v.reference "
    "FROM unnest(%s::text[], %s::numeric[], %s::timestamptz[], %s::text[], %s::text[]) "
    "AS v(msisdn, amount, paid_at, channel, reference) JOIN customers_line l ON l.msisdn = v.msisdn")
FLOOR_BILLS = (
    "INSERT INTO arrears_bill (line_id, customer_id, period, amount, due_date, paid_amount) "
    "SELECT l.id, l.customer_id, v.period, v.amount, v.due_date, 0 "
    "FROM unnest(%s::text[], %s::date[], %s::numeric[], %s::date[]) AS v(msisdn, period, amount, due_date) "
    "JOIN customers_line l ON l.msisdn = v.msisdn")
FLOOR_USAGE = (
    "INSERT INTO customers_usagesummary (line_id, customer_id, month, voice_minutes, data_mb, sms_count, "
    "competitor_hotline_calls, plan_saturation, broadband_bundled, bill_amount, prepaid_balance) "
    "SELECT l.id, l.customer_id, v.month, v.voice, v.data, v.sms, v.hotline, v.saturation, v.broadband, v.bill, "
    "v.prepaid FROM unnest(%s::text[], %s::date[], %s::int[], %s::int[], %s::int[], %s::int[], %s::numeric[], "
    "%s::boolean[], %s::numeric[], %s::numeric[]) "
    "AS v(msisdn, month, voice, data, sms, hotline, saturation, broadband, bill, prepaid) "
    "JOIN customers_line l ON l.msisdn = v.msisdn")
FLOOR_LINE_STATUS = (
    "INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source) "
    "SELECT l.id, 'active', v.status, v.changed_at, v.reason, 'billing' "
    "FROM unnest(%s::text[], %s::text[], %s::timestamptz[], %s::text[]) AS v(msisdn, status, changed_at, reason) "
    "JOIN customers_line l ON l.msisdn = v.msisdn")
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

# ---------------------------------------------------------------- bench_bulk_intake: the "same rows" floors
# Beside the one-table floors above: one statement (writable CTEs) that writes every row a post's answer consists
# of, the least PostgreSQL must do for the same result, written by hand apart from the pipeline's statements.
# Simplified where the result allows it: the barring rule is the policy's default (usable < 0 bars one-way, usable
# under max(20 % of the limit, 5) reminds, usable back at 0 restores; no shared credit, no exemptions), the
# customer's status takes the worst new status of its moved lines, SMS go to the moved line's own number.

# A batch's per-line balance change (CTE `per_line(line_id, delta)`) applied to the accounts with the barring rule,
# then the moved lines' status, its log, barring and decision events, the customers' status, SMS.
_FLOOR_DECIDED = """
decided AS (
    SELECT a.line_id, a.customer_id, a.state AS from_state, p.delta, c.credit_limit,
           a.balance + p.delta + c.credit_limit AS usable,
           CASE WHEN a.state IN ('active', 'reminded') AND a.balance + p.delta + c.credit_limit < 0
                THEN 'one_way_barred'
                WHEN a.state = 'active'
                     AND a.balance + p.delta + c.credit_limit < greatest(round(c.credit_limit * 0.2, 2), 5)
                THEN 'reminded'
                WHEN a.state IN ('one_way_barred', 'reminded')
                     AND a.balance + p.delta + c.credit_limit >= greatest(round(c.credit_limit * 0.2, 2), 5)
                THEN 'active'
                WHEN a.state = 'one_way_barred' AND a.balance + p.delta + c.credit_limit >= 0 THEN 'reminded'
           END AS to_state
    FROM per_line p JOIN arrears_lineaccount a ON a.line_id = p.line_id
    JOIN customers_customer c ON c.id = a.customer_id
    WHERE a.state <> 'closed'
),
accounts AS (
    UPDATE arrears_lineaccount a SET balance = a.balance + d.delta,
           state = coalesce(d.to_state, a.state),
           state_since = CASE WHEN d.to_state IS NULL THEN a.state_since ELSE %(today)s::date END,
           arrears_since = CASE WHEN d.usable < 0 THEN coalesce(a.arrears_since, %(today)s::date) END
    FROM decided d WHERE a.line_id = d.line_id
    RETURNING a.line_id
),
moved AS (
    SELECT d.*, CASE d.from_state WHEN 'reminded' THEN 'active' ELSE d.from_state END AS from_status,
           CASE d.to_state WHEN 'reminded' THEN 'active' ELSE d.to_state END AS to_status
    FROM decided d WHERE d.to_state IS NOT NULL
),
lines AS (
    UPDATE customers_line l SET status = m.to_status, updated_at = %(now)s
    FROM moved m WHERE l.id = m.line_id AND m.to_status <> m.from_status
    RETURNING l.id, l.customer_id, l.msisdn, m.from_status, m.to_status, m.from_state, m.to_state, m.usable
),
status_log AS (
    INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source)
    SELECT id, from_status, to_status, %(now)s, 'floor', 'floor' FROM lines
),
barring AS (
    INSERT INTO arrears_barringevent (line_id, from_state, to_state, rule, usable_credit, policy_version, at)
    SELECT line_id, from_state, to_state, 'floor', usable, 'floor', %(now)s FROM moved
),
decisions AS (
    INSERT INTO customers_decisionevent (line_id, customer_id, msisdn, kind, from_state, to_state, rule,
                                         policy_version, payload, occurred_at)
    SELECT id, customer_id, msisdn, CASE WHEN to_status = 'active' THEN 'restored' ELSE 'barred_one_way' END,
           from_state, to_state, 'floor', 'floor', jsonb_build_object('usableCredit', usable::text), %(now)s
    FROM lines
),
customers AS (
    UPDATE customers_customer c SET status = w.status, updated_at = %(now)s
    FROM (SELECT customer_id, max(to_status) AS status FROM lines GROUP BY customer_id) w
    WHERE c.id = w.customer_id AND c.status <> w.status
),
sms AS (
    INSERT INTO credit_smsmessage (customer_id, msisdn, event, body, status, attempts, dedup_key, gateway_ref,
                                   created_at)
    SELECT m.customer_id, l.msisdn, t.event, t.body, 'queued', 0, 'floor-' || m.line_id || '-' || %(tag)s, '',
           %(now)s
    FROM moved m JOIN customers_line l ON l.id = m.line_id
    JOIN credit_smstemplate t ON t.active AND t.event = CASE
        WHEN m.to_status = 'active' AND m.from_status <> 'active' THEN 'restored'
        WHEN m.to_state = 'reminded' THEN CASE WHEN m.usable >= 0 THEN 'low_credit' ELSE 'arrears_reminder' END
        WHEN m.to_status <> 'active' THEN 'barred' END
)"""

# payments: the rows, their ledger entries, each line's payments to its oldest unpaid bills, then the accounts
FLOOR_PAYMENTS_ROWS = """
WITH v AS (SELECT l.id AS line_id, l.customer_id, i.amount, i.paid_at, i.channel, i.reference
           FROM unnest(%(msisdn)s::text[], %(amount)s::numeric[], %(paid_at)s::timestamptz[], %(channel)s::text[],
                       %(reference)s::text[]) AS i(msisdn, amount, paid_at, channel, reference)
           JOIN customers_line l ON l.msisdn = i.msisdn),
payments AS (
    INSERT INTO arrears_payment (line_id, customer_id, amount, paid_at, channel, reference)
    SELECT line_id, customer_id, amount, paid_at, channel, reference FROM v
),
ledger AS (
    INSERT INTO arrears_ledgerentry (line_id, kind, amount, posted_at, reference, note)
    SELECT line_id, 'payment', amount, paid_at, 'floor-' || reference, '' FROM v
),
per_line AS (SELECT line_id, sum(amount) AS delta FROM v GROUP BY line_id),
owed AS (
    SELECT b.id, b.amount - b.paid_amount AS due, p.delta AS paid,
           coalesce(sum(b.amount - b.paid_amount) OVER (PARTITION BY b.line_id ORDER BY b.due_date, b.id
                                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ahead
    FROM per_line p JOIN arrears_bill b ON b.line_id = p.line_id AND b.paid_amount < b.amount
),
allocated AS (
    UPDATE arrears_bill b SET paid_amount = b.paid_amount + least(o.due, o.paid - o.ahead)
    FROM owed o WHERE b.id = o.id AND o.ahead < o.paid
),""" + _FLOOR_DECIDED + """
SELECT count(*) FROM accounts"""

# bills: the rows, their ledger entries (charges), then the accounts
FLOOR_BILLS_ROWS = """
WITH v AS (SELECT l.id AS line_id, l.customer_id, i.period, i.amount, i.due_date
           FROM unnest(%(msisdn)s::text[], %(period)s::date[], %(amount)s::numeric[], %(due_date)s::date[])
           AS i(msisdn, period, amount, due_date) JOIN customers_line l ON l.msisdn = i.msisdn),
bills AS (
    INSERT INTO arrears_bill (line_id, customer_id, period, amount, due_date, paid_amount)
    SELECT line_id, customer_id, period, amount, due_date, 0 FROM v
),
ledger AS (
    INSERT INTO arrears_ledgerentry (line_id, kind, amount, posted_at, reference, note)
    SELECT line_id, 'charge', -amount, %(now)s, 'floor-bill-' || line_id || '-' || period, '' FROM v
),
per_line AS (SELECT line_id, -sum(amount) AS delta FROM v GROUP BY line_id),""" + _FLOOR_DECIDED + """
SELECT count(*) FROM accounts"""

# usage: the rows, and the accounts' position each item answers (read, nothing to decide for unchanged balances)
FLOOR_USAGE_ROWS = """
WITH v AS (SELECT l.id AS line_id, l.customer_id, i.*
           FROM unnest(%(msisdn)s::text[], %(month)s::date[], %(voice)s::int[], %(data)s::int[], %(sms)s::int[],
                       %(hotline)s::int[], %(saturation)s::numeric[], %(broadband)s::boolean[], %(bill)s::numeric[],
                       %(prepaid)s::numeric[])
           AS i(msisdn, month, voice, data, sms, hotline, saturation, broadband, bill, prepaid)
           JOIN customers_line l ON l.msisdn = i.msisdn),
usage AS (
    INSERT INTO customers_usagesummary (line_id, customer_id, month, voice_minutes, data_mb, sms_count,
                                        competitor_hotline_calls, plan_saturation, broadband_bundled, bill_amount,
                                        prepaid_balance)
    SELECT line_id, customer_id, month, voice, data, sms, hotline, saturation, broadband, bill, prepaid FROM v
)
SELECT count(*), sum(a.balance + c.credit_limit) FROM v JOIN arrears_lineaccount a ON a.line_id = v.line_id
JOIN customers_customer c ON c.id = a.customer_id"""

# line status: the lines, their log, the customers' status (the worst of their lines')
FLOOR_LINE_STATUS_ROWS = """
WITH v AS (SELECT l.id, l.customer_id, l.status AS from_status FROM customers_line l
           WHERE l.msisdn = ANY(%(msisdn)s::text[]) AND l.status <> 'one_way_barred'),
lines AS (
    UPDATE customers_line l SET status = 'one_way_barred' FROM v WHERE l.id = v.id
),
status_log AS (
    INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source)
    SELECT id, from_status, 'one_way_barred', %(now)s, 'network barring', 'billing' FROM v
)
UPDATE customers_customer c SET status = 'one_way_barred', updated_at = %(now)s
FROM (SELECT DISTINCT customer_id FROM v) w WHERE c.id = w.customer_id AND c.status = 'active'"""

# onboarding: customers and their history rows, their lines and theirs, the identity callbacks
FLOOR_CUSTOMERS_ROWS = """
WITH v AS (SELECT * FROM unnest(%(id_number)s::text[], %(msisdn)s::text[]) AS v(id_number, msisdn)),
customers AS (
    INSERT INTO customers_customer (created_at, updated_at, name, id_type, id_number, id_last4, gender, address,
                                    occupation, industry, workplace, region_id, brand_id, join_date, status,
                                    acquiring_channel_id, vip_tier, lifecycle_stage, credit_limit,
                                    avg_monthly_spend, data_completeness, policy_explained_at)
    SELECT %(now)s, %(now)s, '压测客户', 'resident_id', id_number, right(id_number, 4), '', '', '', '', '',
           %(region)s, %(brand)s, %(today)s, 'active', %(channel)s, 'ordinary_1', 'exploration', 0, 0, 40, %(now)s
    FROM v
    RETURNING *
),
customer_history AS (
    INSERT INTO customers_historicalcustomer (id, created_at, name, id_type, id_number, id_last4, gender, address,
                                              occupation, industry, workplace, join_date, status, vip_tier,
                                              lifecycle_stage, credit_limit, data_completeness, policy_explained_at,
                                              acquiring_channel_id, brand_id, region_id, history_date,
                                              history_change_reason, history_type)
    SELECT id, created_at, name, id_type, id_number, id_last4, gender, address, occupation, industry, workplace,
           join_date, status, vip_tier, lifecycle_stage, credit_limit, data_completeness, policy_explained_at,
           acquiring_channel_id, brand_id, region_id, %(now)s, 'floor', '+'
    FROM customers
),
lines AS (
    INSERT INTO customers_line (created_at, updated_at, customer_id, msisdn, plan_id, status, activated_on)
    SELECT %(now)s, %(now)s, c.id, v.msisdn, %(plan)s, 'active', %(today)s
    FROM customers c JOIN v ON v.id_number = c.id_number
    RETURNING *
),
line_history AS (
    INSERT INTO customers_historicalline (id, created_at, msisdn, status, activated_on, customer_id, plan_id,
                                          history_date, history_change_reason, history_type)
    SELECT id, created_at, msisdn, status, activated_on, customer_id, plan_id, %(now)s, 'floor', '+' FROM lines
)
INSERT INTO customers_onboardingcallback (customer_id, due_on, status, outcome, created_at, updated_at)
SELECT id, %(today)s::date + 3, 'open', '', %(now)s, %(now)s FROM customers"""
