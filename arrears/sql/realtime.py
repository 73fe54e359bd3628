"""The real-time barring decision's statements (arrears.realtime runs them for a batch of lines): the nightly
evaluation's facts and compiled state machine (arrears.sql.evaluation) judged on today's facts of a set of line ids,
and what services.account_transition writes, for all moves at once."""

from arrears.sql.evaluation import (barring_sms_sql, event_kind_sql, line_status_case, retention_days_case,
                                    transition_case)
from credit.choices import SmsStatus
from credit.sharing import active_shares_sql
from customers import events

# A payment's lines still below 0 age from the oldest bill it left unpaid past due (arrears.sql.AGING, the nightly
# rule, on the bills as the batch's allocation left them; the single posting's aging_refresh)
AGED_SINCE = """coalesce((SELECT min(b.due_date) FROM arrears_bill b
                          WHERE b.line_id = a.line_id AND b.paid_amount < b.amount AND b.due_date < %(today)s),
                         a.arrears_since, %(today)s)"""

# Today's facts of the lines in %(ids)s and the state machine's answer: the same columns the nightly evaluation's
# rounds judge (arrears.sql.evaluation.FACTS / round_sql) and its compiled CASE of policies.TRANSITIONS, for one day.
# `facts` and `decided` MATERIALIZED: inlined, each reference to a computed column (usable, threshold, the two CASEs,
# rule again in JUDGE_SQL's `writes`) was computed again per row, the CASEs re-adding the numeric usable a dozen times
# (and JUDGE_SQL's plan went parallel over it); computed once each and read back, the judge costs ~a third less.
DECIDED_FOR_LINES = f"""
WITH shares AS ({active_shares_sql("%(now)s")}),  -- shared credit active now (credit.sharing)
posted AS (  -- the accounts of the lines, with the batch's new balances where it brings them (not yet written)
    SELECT a.line_id, a.customer_id, a.state, a.state_since, coalesce(n.balance, a.balance) AS balance,
           CASE WHEN n.settled THEN NULL
                WHEN %(aged)s AND n.line_id IS NOT NULL AND a.state <> 'closed' THEN {AGED_SINCE}
                ELSE a.arrears_since END AS arrears_since, a.exempt_until, a.exempt_cap,
           n.balance AS new_balance
    FROM arrears_lineaccount a
    LEFT JOIN unnest(%(posted)s::bigint[], %(balances)s::numeric[], %(settled)s::bool[])
              AS n(line_id, balance, settled) ON n.line_id = a.line_id
    WHERE a.line_id = ANY(%(ids)s::bigint[])
),
facts AS MATERIALIZED (
    SELECT a.line_id, a.customer_id, a.state, a.state_since, a.balance, a.arrears_since, c.credit_limit,
           a.balance + c.credit_limit + coalesce(sh.net, 0) AS usable,
           coalesce(a.exempt_until >= %(today)s
                    AND (a.exempt_cap IS NULL OR a.balance + c.credit_limit + coalesce(sh.net, 0) >= -a.exempt_cap),
                    false) AS exempt,
           CASE WHEN a.balance + c.credit_limit + coalesce(sh.net, 0) < 0
                THEN %(today)s - coalesce(a.arrears_since, %(today)s) ELSE 0 END AS days_in_arrears,
           %(today)s - a.state_since AS days_in_state,
           greatest(round(c.credit_limit * %(reminder_ratio)s, 2), %(reminder_minimum)s) AS threshold,
           {retention_days_case()} AS retention_days
    FROM posted a JOIN customers_customer c ON c.id = a.customer_id
    JOIN customers_line l ON l.id = a.line_id AND l.status <> 'closed'  -- closed by billing: never reopened here
    LEFT JOIN shares sh ON sh.customer_id = c.id
    WHERE a.state <> 'closed'
),
decided AS MATERIALIZED (
    SELECT f.*, {transition_case("to")} AS new_state, {transition_case("rule")} AS rule
    FROM facts f
)"""

# One UPDATE of each account for the whole posting: the batch's new balance (a settled line's arrears age cleared,
# as before), the arrears clock (it starts when usable credit falls below 0 and stops when it is back: account_decide)
# and, for a rule the policy applies at once, the new state (services.account_transition's account write).
IMMEDIATE = "(d.rule <> '' AND d.rule = ANY(%(immediate)s::text[]))"
CLOCK_SQL = "CASE WHEN d.usable < 0 THEN coalesce(p.arrears_since, %(today)s::date) END"
ARREARS_SQL = f"CASE WHEN d.line_id IS NULL THEN p.arrears_since ELSE {CLOCK_SQL} END"
DECIDE_SQL = DECIDED_FOR_LINES + f""",
written AS (
    UPDATE arrears_lineaccount a
    SET balance = p.balance, arrears_since = {ARREARS_SQL},
        state = CASE WHEN {IMMEDIATE} THEN d.new_state ELSE a.state END,
        state_since = CASE WHEN {IMMEDIATE} THEN %(today)s::date ELSE a.state_since END
    FROM posted p LEFT JOIN decided d ON d.line_id = p.line_id
    WHERE a.line_id = p.line_id AND (p.new_balance IS NOT NULL OR a.arrears_since IS DISTINCT FROM {ARREARS_SQL}
                                     OR {IMMEDIATE})
)
SELECT d.line_id, d.customer_id, d.state, d.new_state, d.rule, d.balance, d.credit_limit, d.usable FROM decided d
"""


MOVES = """moves AS (SELECT * FROM unnest(%(ids)s::bigint[], %(from)s::text[], %(to)s::text[], %(rule)s::text[],
                                          %(usable)s::numeric[], %(balance)s::numeric[], %(limit)s::numeric[])
                   AS m(line_id, state, new_state, rule, usable, balance, credit_limit))"""

# services.account_transition for every move at once (the old line status read through a second alias: the row as
# it was)
APPLY_SQL = f"""
WITH {MOVES},  -- the accounts' new state is written by DECIDE_SQL
lines AS (
    UPDATE customers_line l SET status = {line_status_case("m.new_state")}, updated_at = %(now)s
    FROM moves m, customers_line o
    WHERE l.id = m.line_id AND o.id = l.id AND l.status <> {line_status_case("m.new_state")}
    RETURNING l.id, l.customer_id, o.status AS old_status, l.status AS new_status
),
status_log AS (
    INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source,
                                            changed_by_id)
    SELECT lines.id, lines.old_status, lines.new_status, %(now)s, m.rule, %(policy)s, %(by)s
    FROM lines JOIN moves m ON m.line_id = lines.id
),
decision_events AS ({events.decision_events_insert_sql(
    source="moves s", line="s.line_id", kind=event_kind_sql("s.state", "s.new_state"),
    from_state="s.state", to_state="s.new_state", rule="s.rule", policy_version="%(policy)s", at="%(now)s",
    payload="jsonb_build_object('accountBalance', s.balance::text, 'creditLimit', s.credit_limit::text, "
            "'usableCredit', s.usable::text)")}
),
barring_events AS (
    INSERT INTO arrears_barringevent (line_id, from_state, to_state, rule, usable_credit, policy_version, at,
                                      run_id, by_id)
    SELECT line_id, state, new_state, rule, usable, %(policy)s, %(now)s, NULL, %(by)s FROM moves
)
SELECT DISTINCT customer_id FROM lines  -- their status may follow their lines'
"""

SMS_EVENT, SMS_AMOUNT = barring_sms_sql("m.from_state", "m.new_state", "m.usable")

# touchpoints.sms_enqueue for every move at once: the template of the event, to the customer's first open line
SMS_SQL = f"""
INSERT INTO credit_smsmessage (customer_id, msisdn, event, body, status, attempts, dedup_key, gateway_ref,
                               created_at)
SELECT c.id, pl.msisdn, t.event,
       replace(replace(replace(t.body, '{{name}}', c.name), '{{amount}}', ({SMS_AMOUNT})::text),
               '{{date}}', %(today)s::text),
       '{SmsStatus.QUEUED}', 0, 'barring-' || m.line_id || '-' || m.new_state || '-' || %(stamp)s, '', %(now)s
FROM unnest(%(ids)s::bigint[], %(customers)s::bigint[], %(from)s::text[], %(to)s::text[], %(usable)s::numeric[])
     AS m(line_id, customer_id, from_state, new_state, usable)
JOIN customers_customer c ON c.id = m.customer_id
JOIN LATERAL (SELECT msisdn FROM customers_line WHERE customer_id = c.id AND status <> 'closed'
              ORDER BY id LIMIT 1) pl ON TRUE
JOIN credit_smstemplate t ON t.active AND t.event = {SMS_EVENT}
ON CONFLICT (dedup_key) DO NOTHING
"""

# The same answer read without writing or locking (a usage post's: usage changes nothing the decision reads), with
# whether the line has something to write — what DECIDE_SQL's `written` would change for a line the batch brings no
# balance for: a rule the policy applies at once, or the arrears clock starting or stopping. Only those lines are then
# locked and decided by DECIDE_SQL (arrears.realtime.lines_judge).
_JUDGED_CLOCK = CLOCK_SQL.replace("p.arrears_since", "d.arrears_since")
assert _JUDGED_CLOCK != CLOCK_SQL, "CLOCK_SQL no longer reads p.arrears_since: JUDGE_SQL would judge the wrong clock"
JUDGE_SQL = DECIDED_FOR_LINES + f"""
SELECT d.line_id, d.customer_id, d.state, d.new_state, d.rule, d.balance, d.credit_limit, d.usable,
       (d.arrears_since IS DISTINCT FROM {_JUDGED_CLOCK}
        OR {IMMEDIATE}) AS writes
FROM decided d
"""
