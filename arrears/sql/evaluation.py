"""The nightly evaluation's statements (arrears.evaluation runs them per chunk, in this order): the SQL twin of
arrears/policies.py, compiled from policies.TRANSITIONS and the star policies (the pure rules stay in policies.py)."""

from arrears import policies, services
from arrears.choices import BarringState as S
from arrears.sql import AGING
from credit.choices import SmsStatus
from credit.policies import STAR_POLICIES
from credit.sharing import active_shares_sql
from core.sql import time_zone
from customers import events

# The condition of each rule of policies.TRANSITIONS over a facts row (same meaning as policies._holds).
RULE_SQL = {
    "paid_back": "usable >= 0",
    "retention_expired": "days_in_state >= retention_days",
    "arrears_30_days": "NOT exempt AND usable < 0 AND days_in_arrears >= %(two_way_days)s",
    "usable_below_zero": "NOT exempt AND usable < 0",
    "low_credit": "usable < threshold",
    "credit_recovered": "usable >= threshold",
}


def moment(day: str) -> str:
    """SQL: the decision moment of a day (an SQL date expression): its 00:30 in the operator's time zone."""
    return f"(({day}) + time '00:30') AT TIME ZONE '{time_zone()}'"


def day_start(day: str) -> str:
    return f"(({day})::timestamp AT TIME ZONE '{time_zone()}')"


DAYS = "SELECT d::date AS day FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') d"

# The window's late fees, not yet written. What was overdue at the start of a day: bills carry what has been paid
# on them by now; payments made since the day began went to the oldest unpaid bills first (allocation by due
# date), so what was owed on the bills due before the day is their amount less what had been paid before it —
# never less than what is still owed on them now, never more than that plus the payments since. A line with no
# payment since the window began (nearly all) owes exactly what is unpaid on its bills past due: one pass over
# its unpaid bills; only the few paid on since take the whole formula.
FEES = f"""
CREATE TEMP TABLE eval_fee ON COMMIT DROP AS
WITH days AS ({DAYS}),
paid AS (
    SELECT p.line_id, p.paid_at, p.amount FROM arrears_payment p
    WHERE p.paid_at >= {day_start("%(first)s::date")} AND p.line_id >= %(lo)s AND p.line_id < %(hi)s
),
unpaid AS (  -- lines not paid on since: what is unpaid on their bills past due, each day
    SELECT b.line_id, d.day, sum(b.amount - b.paid_amount) AS owed
    FROM arrears_bill b JOIN days d ON b.due_date < d.day
    WHERE b.line_id >= %(lo)s AND b.line_id < %(hi)s AND b.due_date < %(last)s AND b.paid_amount < b.amount
      AND NOT EXISTS (SELECT 1 FROM paid p WHERE p.line_id = b.line_id)
    GROUP BY b.line_id, d.day
),
paid_days AS (SELECT DISTINCT p.line_id, d.day FROM paid p CROSS JOIN days d),
paid_since AS (
    SELECT o.line_id, o.day, sum(p.amount) AS amount FROM paid_days o
    JOIN paid p ON p.line_id = o.line_id AND p.paid_at >= {day_start("o.day")}
    GROUP BY o.line_id, o.day
),
repaid AS (  -- lines paid on since the window began
    SELECT o.line_id, o.day,
           least(sum(b.amount - b.paid_amount) FILTER (WHERE b.due_date < o.day) + coalesce(max(ps.amount), 0),
                 greatest(sum(b.amount - b.paid_amount) FILTER (WHERE b.due_date < o.day),
                          sum(b.amount) FILTER (WHERE b.due_date < o.day)
                          - greatest(sum(b.paid_amount) - coalesce(max(ps.amount), 0), 0))) AS owed
    FROM paid_days o
    JOIN arrears_bill b ON b.line_id = o.line_id
    LEFT JOIN paid_since ps ON ps.line_id = o.line_id AND ps.day = o.day
    GROUP BY o.line_id, o.day
    HAVING bool_or(b.due_date < o.day AND (b.paid_amount < b.amount OR ps.amount IS NOT NULL))
),
overdue AS (SELECT * FROM unpaid UNION ALL SELECT * FROM repaid),
charged_before AS (  -- lines with a late fee posted in the window already (a re-run): only their days are looked up
    -- The ledger is read within the chunk's lines: on a first night the chunks before this one have just posted
    -- their fees, the statistics still say the ledger is empty, and the look-up was planned as a scan of all
    -- the night's fees for each overdue line (over 100 s for the second chunk of 50,000 lines at 1M).
    SELECT k.line_id FROM (SELECT DISTINCT line_id FROM overdue) k
    WHERE EXISTS (SELECT 1 FROM arrears_ledgerentry e WHERE e.line_id = k.line_id AND e.kind = 'late_fee'
                  AND e.line_id >= %(lo)s AND e.line_id < %(hi)s
                  AND e.posted_at >= {moment("%(first)s::date")})
)
SELECT o.line_id, o.day, -round(o.owed * %(late_fee_rate)s, 2) AS amount, o.owed FROM overdue o
JOIN eval_acct a ON a.line_id = o.line_id  -- the chunk's open accounts: hashed, not probed line by line
{{star_join}}
WHERE round(o.owed * %(late_fee_rate)s, 2) > 0
  AND o.day > coalesce(a.evaluated_on, '-infinity'::date)  -- a day the line was decided on is not charged again
  {{star_filter}}
  AND NOT (o.line_id IN (SELECT line_id FROM charged_before)
           AND EXISTS (SELECT 1 FROM arrears_ledgerentry e
                       WHERE e.reference = 'late-fee-' || o.line_id || '-' || o.day))
"""


# The chunk's accounts the night may charge and judge (open, on a line billing has not closed), with planner
# statistics of their own, which the fees and the lines read: on a site's first night the accounts were all opened
# in this very transaction (ENSURE_ACCOUNTS), so the table's statistics still say empty, and joins planned for a
# few dozen accounts probed the overdue rows, the fees and the shares once per account (the fees 204 s for a chunk
# of 50,000 lines at 1M instead of about 1 s, the lines over 70 s). A temporary table is analysed without the lock
# an ANALYZE of the shared table would hold until the chunk commits.
OPEN_ACCOUNTS = (
    """CREATE TEMP TABLE eval_acct ON COMMIT DROP AS
    SELECT a.line_id, a.customer_id, a.state, a.state_since, a.balance, a.arrears_since, a.exempt_until,
           a.exempt_cap, a.evaluated_on, l.status AS line_status
    FROM arrears_lineaccount a
    JOIN customers_line l ON l.id = a.line_id AND l.status <> 'closed'  -- billing's closure is final too
         AND l.id >= %(lo)s AND l.id < %(hi)s
    WHERE a.line_id >= %(lo)s AND a.line_id < %(hi)s AND a.state <> 'closed'""",
    "ANALYZE eval_acct",
)


def fees_sql(waived: bool) -> str:
    """The window's late fees; the customers' stars are read only when the policy waives some stars."""
    star_join = "JOIN customers_customer c ON c.id = a.customer_id" if waived else ""
    star_filter = "AND NOT (coalesce(c.credit_star, -1) = ANY(%(waived_stars)s::int[]))" if waived else ""
    return FEES.format(star_join=star_join, star_filter=star_filter)


def retention_days_case() -> str:
    whens = " ".join(f"WHEN {star} THEN {p.retention_days}" for star, p in STAR_POLICIES.items() if star is not None)
    return f"CASE c.credit_star {whens} ELSE {STAR_POLICIES[None].retention_days} END"


def _shares_by_day(columns: str, group: str = "") -> str:
    """Net shared credit per customer on each day of the window (credit.sharing: the shares active at its 00:30)."""
    return (f"SELECT {columns} FROM ({DAYS}) d "
            f"CROSS JOIN LATERAL ({active_shares_sql(moment('d.day'))}) s {group}")


# The lines the window may change, with what is constant over it. An active line out of arrears whose usable
# credit stays at or above the threshold on every day (fees only lower it, so its last day is its lowest, less the
# most credit it shares away on any day) is quiet: nothing holds for it on any day, and it has no age.
LINES = f"""
CREATE TEMP TABLE eval_line ON COMMIT DROP AS
WITH fees AS (SELECT line_id, sum(amount) AS amount FROM eval_fee GROUP BY line_id),
shares AS ({_shares_by_day("s.customer_id, min(s.net) AS low", "GROUP BY s.customer_id")}),
accounts AS (
    SELECT a.line_id, a.customer_id, a.state, a.state_since, a.balance, a.arrears_since, a.exempt_until,
           a.exempt_cap, a.line_status, c.credit_limit,
           greatest(round(c.credit_limit * %(reminder_ratio)s, 2), %(reminder_minimum)s) AS threshold,
           {retention_days_case()} AS retention_days,
           greatest(%(first)s::date, a.evaluated_on + 1) AS start,
           a.balance + coalesce(f.amount, 0) + c.credit_limit + least(coalesce(sh.low, 0), 0) AS lowest
    FROM eval_acct a JOIN customers_customer c ON c.id = a.customer_id  -- open, on lines billing has not closed
    LEFT JOIN fees f ON f.line_id = a.line_id
    LEFT JOIN shares sh ON sh.customer_id = a.customer_id
    WHERE coalesce(a.evaluated_on, '-infinity'::date) < %(last)s
)
SELECT x.*, (SELECT min(b.due_date) FROM arrears_bill b
             WHERE b.line_id = x.line_id AND b.paid_amount < b.amount) AS oldest_due
FROM accounts x
WHERE x.state <> 'active' OR x.arrears_since IS NOT NULL OR x.lowest < x.threshold
"""

# Each day's facts of those lines. Arrears age (as arrears.sql.AGING sets it each day, without shares): from the
# due date of the oldest unpaid bill once it is past due, else from the day the balance went below the limit (kept
# from before the window when it was already below on the window's first day).
FACTS = f"""
CREATE TEMP TABLE eval_fact ON COMMIT DROP AS
WITH shares AS ({_shares_by_day("d.day, s.customer_id, s.net")}),
per_day AS (
    SELECT e.line_id, d.day, e.start, e.arrears_since, e.oldest_due, e.credit_limit, e.exempt_until, e.exempt_cap,
           e.balance + coalesce(sum(f.amount) OVER (PARTITION BY e.line_id ORDER BY d.day), 0) AS balance,
           coalesce(sh.net, 0) AS shared
    FROM eval_line e JOIN ({DAYS}) d ON d.day >= e.start
    LEFT JOIN eval_fee f ON f.line_id = e.line_id AND f.day = d.day
    LEFT JOIN shares sh ON sh.customer_id = e.customer_id AND sh.day = d.day
),
aged AS (
    SELECT p.*, p.balance + p.credit_limit + p.shared AS usable,
           min(p.day) FILTER (WHERE p.balance + p.credit_limit < 0) OVER (PARTITION BY p.line_id) AS below_from
    FROM per_day p
),
dated AS (
    SELECT line_id, day, balance, usable, exempt_until, exempt_cap,
           CASE WHEN balance + credit_limit < 0 THEN
               coalesce(CASE WHEN oldest_due < day THEN oldest_due END,
                        CASE WHEN below_from = start THEN coalesce(arrears_since, start) ELSE below_from END)
           END AS since
    FROM aged
)
SELECT line_id, day, balance, usable, since,
       coalesce(exempt_until >= day AND (exempt_cap IS NULL OR usable >= -exempt_cap), false) AS exempt,
       CASE WHEN usable < 0 THEN day - coalesce(since, day) ELSE 0 END AS days_in_arrears
FROM dated
"""


def event_kind_sql(from_column: str, to_column: str) -> str:
    """The SQL twin of `policies.event_kind` over two columns (the nightly statement's events)."""
    barred = ", ".join(f"'{s}'" for s in policies.BARRED)
    whens = " ".join(f"WHEN {to_column} = '{state}' THEN '{kind}'" for state, kind in policies.EVENT_KIND_FOR.items())
    return (f"CASE WHEN {to_column} IN ('{S.ACTIVE}', '{S.REMINDED}') AND {from_column} IN ({barred}) "
            f"THEN 'restored' {whens} END")


def barring_sms_sql(from_column: str, to_column: str, usable: str) -> tuple[str, str]:
    """The SQL twin of `policies.barring_sms`: (event, amount) expressions over three columns; the event is NULL
    (no SMS) where `policies.barring_sms` gives None, so a join on the template drops the row."""
    barred = ", ".join(f"'{s}'" for s in policies.BARRED)
    restored = f"{to_column} IN ('{S.ACTIVE}', '{S.REMINDED}') AND {from_column} IN ({barred})"
    event = (f"CASE WHEN {restored} THEN 'restored' "
             f"WHEN {to_column} = '{S.REMINDED}' THEN CASE WHEN {usable} >= 0 THEN 'low_credit' "
             f"ELSE 'arrears_reminder' END "
             f"WHEN {to_column} IN ('{S.ONE_WAY}', '{S.TWO_WAY}') THEN 'barred' END")
    amount = (f"CASE WHEN {restored} THEN 0 WHEN {to_column} = '{S.REMINDED}' THEN abs({usable}) "
              f"WHEN {to_column} IN ('{S.ONE_WAY}', '{S.TWO_WAY}') THEN greatest(-{usable}, 0) ELSE 0 END")
    return event, amount


def transition_case(column: str) -> str:
    whens = " ".join(
        f"WHEN state IN ({', '.join(repr(str(s)) for s in sources)}) AND ({RULE_SQL[rule]}) THEN "
        f"'{target if column == 'to' else rule}'"
        for sources, target, rule in policies.TRANSITIONS)
    return f"CASE {whens} END"


MOVES_SETUP = (
    "CREATE TEMP TABLE eval_cur ON COMMIT DROP AS SELECT line_id, state, state_since, start AS cursor FROM eval_line",
    "CREATE TEMP TABLE eval_move (line_id bigint, day date, from_state text, to_state text, rule text, "
    "usable numeric, balance numeric) ON COMMIT DROP",
)


def round_sql() -> str:
    """One round: each line still in play moves on the first day, from its cursor, on which a rule holds; a line
    on which nothing holds on any day left is out of play."""
    return f"""
    WITH step AS (
        SELECT DISTINCT ON (line_id) line_id, day, state, new_state, rule, usable, balance FROM (
            SELECT x.*, {transition_case("to")} AS new_state, {transition_case("rule")} AS rule FROM (
                SELECT f.line_id, f.day, c.state, f.usable, f.balance, f.exempt, f.days_in_arrears,
                       f.day - c.state_since AS days_in_state, e.threshold, e.retention_days
                FROM eval_cur c JOIN eval_fact f ON f.line_id = c.line_id AND f.day >= c.cursor
                JOIN eval_line e ON e.line_id = c.line_id
            ) x
        ) y
        WHERE new_state IS NOT NULL
        ORDER BY line_id, day
    ),
    moved AS (
        INSERT INTO eval_move SELECT line_id, day, state, new_state, rule, usable, balance FROM step
    ),
    still AS (DELETE FROM eval_cur c WHERE NOT EXISTS (SELECT 1 FROM step s WHERE s.line_id = c.line_id))
    UPDATE eval_cur c SET state = s.new_state, state_since = s.day, cursor = s.day + 1
    FROM step s WHERE c.line_id = s.line_id
    """


# One update of the accounts: the fees up to a line's closing day (it was open when that day began; a closed line
# is charged no more) with the balance they make, the state after a line's last move, and each evaluated line's
# arrears age on its last open day. The changes are gathered first into a keyed, analysed temporary table, then
# applied: on a site's first night the accounts' statistics say empty (see OPEN_ACCOUNTS), and a single statement
# was planned as a nested loop over every account that ran the whole fees-and-ages join again for each one (over
# 9 minutes for a chunk of 50,000 lines at 1M); an account is now looked up by key once per change.
ACCOUNTS = (
    "CREATE TEMP TABLE eval_change (line_id bigint PRIMARY KEY, fees numeric, judged boolean, since date, day date, "
    "to_state text) ON COMMIT DROP",
    f"""
WITH last_move AS (SELECT DISTINCT ON (line_id) line_id, day, to_state FROM eval_move ORDER BY line_id, day DESC),
charged AS (
    INSERT INTO arrears_ledgerentry (line_id, kind, amount, posted_at, reference, note)
    SELECT f.line_id, 'late_fee', f.amount, {moment("f.day")}, 'late-fee-' || f.line_id || '-' || f.day,
           %(policy)s || ': ' || -f.amount || ' on ' || f.owed || ' overdue'
    FROM eval_fee f LEFT JOIN last_move k ON k.line_id = f.line_id AND k.to_state = 'closed'
    WHERE k.day IS NULL OR f.day <= k.day
    ON CONFLICT (reference) DO NOTHING
    RETURNING line_id, amount
),
fees AS (SELECT line_id, sum(amount) AS amount FROM charged GROUP BY line_id),
aged AS (  -- the age on the line's last open day (its closing day, if it closed)
    SELECT DISTINCT ON (f.line_id) f.line_id, f.since, m.day, m.to_state FROM eval_fact f
    LEFT JOIN last_move m ON m.line_id = f.line_id
    WHERE m.to_state IS DISTINCT FROM 'closed' OR f.day <= m.day
    ORDER BY f.line_id, f.day DESC
),
changes AS (
    SELECT coalesce(g.line_id, f.line_id) AS line_id, coalesce(f.amount, 0) AS fees, g.line_id IS NOT NULL AS judged,
           g.since, g.day, g.to_state
    FROM fees f FULL JOIN aged g ON g.line_id = f.line_id
)
INSERT INTO eval_change SELECT line_id, fees, judged, since, day, to_state FROM changes
""",
    "ANALYZE eval_change",
    """
UPDATE arrears_lineaccount a
SET balance = a.balance + x.fees, state = coalesce(x.to_state, a.state), state_since = coalesce(x.day, a.state_since),
    evaluated_on = coalesce(x.day, a.evaluated_on),
    arrears_since = CASE WHEN x.judged THEN x.since ELSE a.arrears_since END
FROM eval_change x
WHERE a.line_id = x.line_id
  AND (x.fees <> 0 OR x.to_state IS NOT NULL OR (x.judged AND a.arrears_since IS DISTINCT FROM x.since))
""",
)


def line_status_case(column: str) -> str:
    return "CASE " + " ".join(f"WHEN {column} = '{state}' THEN '{status}'"
                              for state, status in services.LINE_STATUS.items()) + " END"


SMS_EVENT, SMS_AMOUNT = barring_sms_sql("m.from_state", "m.to_state", "m.usable")


# Line status where a move changes it (a reminder leaves the line active), with its log; the closing day.
LINES_STATUS = f"""
WITH seq AS (
    SELECT m.*, {line_status_case("m.to_state")} AS status,
           coalesce(lag({line_status_case("m.to_state")}) OVER (PARTITION BY m.line_id ORDER BY m.day),
                    e.line_status) AS status_before
    FROM eval_move m JOIN eval_line e ON e.line_id = m.line_id
),
changes AS (SELECT * FROM seq WHERE status <> status_before),
status_log AS (
    INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source)
    SELECT line_id, {line_status_case("from_state")}, status, {moment("day")}, rule, %(policy)s FROM changes
)
UPDATE customers_line l SET status = last.status,
       closed_on = CASE WHEN last.to_state = 'closed' THEN last.day ELSE l.closed_on END
FROM (SELECT DISTINCT ON (line_id) * FROM changes ORDER BY line_id, day DESC) last
WHERE l.id = last.line_id
RETURNING l.customer_id
"""

MOVED = "(SELECT m.*, e.customer_id, e.credit_limit FROM eval_move m JOIN eval_line e ON e.line_id = m.line_id)"

BARRING_EVENTS = f"""
WITH decision_events AS ({events.decision_events_insert_sql(
    source=f"{MOVED} s", line="s.line_id", kind=event_kind_sql("s.from_state", "s.to_state"),
    from_state="s.from_state", to_state="s.to_state", rule="s.rule", policy_version="%(policy)s",
    at=moment("s.day"),
    payload="jsonb_build_object('accountBalance', s.balance::text, 'creditLimit', s.credit_limit::text, "
            "'usableCredit', s.usable::text)")}
)
INSERT INTO arrears_barringevent (line_id, from_state, to_state, rule, usable_credit, policy_version, at, run_id)
SELECT line_id, from_state, to_state, rule, usable, %(policy)s, {moment("day")}, %(run_id)s FROM eval_move
"""

MESSAGES = f"""
INSERT INTO credit_smsmessage (customer_id, msisdn, event, body, status, attempts, dedup_key, gateway_ref,
                               created_at)
SELECT c.id, l.msisdn, t.event,
       replace(replace(replace(t.body, '{{name}}', c.name), '{{amount}}', ({SMS_AMOUNT})::text),
               '{{date}}', m.day::text),
       '{SmsStatus.QUEUED}', 0, 'barring-' || m.line_id || '-' || m.to_state || '-' || m.day, '', {moment("m.day")}
FROM {MOVED} m
JOIN customers_customer c ON c.id = m.customer_id
JOIN customers_line l ON l.id = m.line_id
JOIN credit_smstemplate t ON t.active AND t.event = {SMS_EVENT}
ON CONFLICT (dedup_key) DO NOTHING
"""

# The number will be reclaimed soon: once per barring, N days before closure, on the first day of its stay in
# two-way barring (from the window's start or the day after it moved there, to its next move) that is that close.
DEADLINE_NOTICES = f"""
WITH first_move AS (SELECT line_id, min(day) AS day FROM eval_move GROUP BY line_id),
stays AS (
    SELECT e.line_id, e.state, e.state_since, e.start AS stay_from, coalesce(m.day, %(last)s::date + 1) AS stay_to
    FROM eval_line e LEFT JOIN first_move m ON m.line_id = e.line_id
    WHERE e.state IN ('two_way_barred', 'in_retention')
    UNION ALL
    SELECT m.line_id, m.to_state, m.day, m.day + 1,
           coalesce(lead(m.day) OVER (PARTITION BY m.line_id ORDER BY m.day), %(last)s::date + 1)
    FROM eval_move m
),
notices AS (
    SELECT s.line_id, s.state_since, e.customer_id, e.retention_days,
           greatest(s.stay_from, s.state_since + e.retention_days - %(retention_notice_days)s) AS day, s.stay_to
    FROM stays s JOIN eval_line e ON e.line_id = s.line_id
    WHERE s.state IN ('two_way_barred', 'in_retention')
)
INSERT INTO credit_smsmessage (customer_id, msisdn, event, body, status, attempts, dedup_key, gateway_ref,
                               created_at)
SELECT c.id, l.msisdn, t.event,
       replace(replace(replace(t.body, '{{name}}', c.name), '{{amount}}', greatest(-f.usable, 0)::text),
               '{{date}}', (n.state_since + n.retention_days)::text),
       '{SmsStatus.QUEUED}', 0, 'retention-deadline-' || n.line_id || '-' || n.state_since, '', {moment("n.day")}
FROM notices n
JOIN eval_fact f ON f.line_id = n.line_id AND f.day = n.day
JOIN customers_customer c ON c.id = n.customer_id
JOIN customers_line l ON l.id = n.line_id
JOIN credit_smstemplate t ON t.active AND t.event = 'retention_deadline'
WHERE n.day < n.stay_to
ON CONFLICT (dedup_key) DO NOTHING
"""

# Closure with arrears: the person must settle before opening service again. Returns every customer of the
# identities blacklisted (also one whose other lines are still open: its last line did not close).
BLACKLIST = f"""
WITH listed AS (
    INSERT INTO customers_blacklistentry (id_type, id_number, customer_id, line_id, reason, amount_owed,
                                          created_at, updated_at)
    SELECT c.id_type, c.id_number, c.id, m.line_id, 'closed with arrears (' || %(policy)s || ')', -m.balance,
           {moment("m.day")}, {moment("m.day")}
    FROM {MOVED} m JOIN customers_customer c ON c.id = m.customer_id
    WHERE m.to_state = 'closed' AND m.balance < 0
    RETURNING id_type, id_number
)
SELECT DISTINCT c.id FROM customers_customer c JOIN listed bl ON bl.id_type = c.id_type AND bl.id_number = c.id_number
"""

# Customers whose last line the window closed, by closing day (one customers_closed signal per day).
CLOSED_IN_RUN = """
SELECT m.day, array_agg(DISTINCT c.id ORDER BY c.id)
FROM (SELECT m.day, e.customer_id FROM eval_move m JOIN eval_line e ON e.line_id = m.line_id
      WHERE m.to_state = 'closed') m
JOIN customers_customer c ON c.id = m.customer_id AND c.status = 'closed'
GROUP BY m.day ORDER BY m.day
"""

# Emergency-continuity passes that ended before the window's last day: the arrears they leave (on the day after
# the pass ended: the balance less the window's later fees), for the recovery rates, and the decision event
# telling billing the pass is over (the line's barring follows from its evaluation).
EMERGENCY_EXPIRED = """
WITH ended AS (
    SELECT e.id, e.line_id, e.valid_until, greatest(e.valid_until + 1, %(first)s::date) AS day
    FROM arrears_emergencypass e
    WHERE e.line_id >= %(lo)s AND e.line_id < %(hi)s AND e.valid_until < %(last)s AND e.arrears_at_expiry IS NULL
),
measured AS (
    SELECT n.*, greatest(0, -(a.balance + c.credit_limit
                              - coalesce((SELECT sum(f.amount) FROM eval_fee f
                                          WHERE f.line_id = n.line_id AND f.day > n.day), 0))) AS arrears,
           coalesce((SELECT m.to_state FROM eval_move m WHERE m.line_id = n.line_id AND m.day <= n.day
                     ORDER BY m.day DESC LIMIT 1),
                    (SELECT e.state FROM eval_line e WHERE e.line_id = n.line_id), a.state) AS state
    FROM ended n JOIN arrears_lineaccount a ON a.line_id = n.line_id
    JOIN customers_customer c ON c.id = a.customer_id
),
recorded AS (
    UPDATE arrears_emergencypass e SET arrears_at_expiry = s.arrears
    FROM measured s WHERE e.id = s.id
)
""" + events.decision_events_insert_sql(
    source="measured s", line="s.line_id", kind="'emergency_pass_ended'", from_state="s.state", to_state="s.state",
    rule="'emergency_expired'", policy_version="%(policy)s", at=moment("s.day"),
    payload="jsonb_build_object('validUntil', s.valid_until::text, 'arrearsAtExpiry', s.arrears::text)")

# Lines billing closed are not evaluated (billing's word is final), but what they still owe keeps its age from
# the oldest unpaid bill (collections, the report by age), by the same rule as the lines evaluated.
AGING_CLOSED_BY_BILLING = AGING.format(
    due="AND EXISTS (SELECT 1 FROM customers_line l WHERE l.id = a.line_id AND l.status = 'closed')")

TEMP_TABLES = ("eval_acct", "eval_fee", "eval_line", "eval_fact", "eval_cur", "eval_move", "eval_change")

# A savepoint's chunk before this one may have left the temp tables.
DROP_TEMP_TABLES_IF_EXIST = f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}"
DROP_TEMP_TABLES = f"DROP TABLE {', '.join(TEMP_TABLES)}"

# Whether a move of the window closed a line (the customers' closure is read only then).
ANY_CLOSED = "SELECT EXISTS (SELECT 1 FROM eval_move WHERE to_state = 'closed')"

# Lines of the chunk without an account: two index-only counts (~10 ms) spare the anti-join of ENSURE_ACCOUNTS
# over the chunk on every night but the first.
MISSING_ACCOUNTS = ("SELECT (SELECT count(*) FROM customers_line WHERE id >= %(lo)s AND id < %(hi)s) "
                    "- (SELECT count(*) FROM arrears_lineaccount WHERE line_id >= %(lo)s AND line_id < %(hi)s)")

assert set(RULE_SQL) == {rule for _, _, rule in policies.TRANSITIONS}, "every rule needs its SQL twin"
assert S.CLOSED not in {s for sources, _, _ in policies.TRANSITIONS for s in sources}, "closed is final"
