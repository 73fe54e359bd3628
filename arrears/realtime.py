"""The real-time barring decision for a whole batch of lines, set-based (the bulk intake's answer, issue 20).

The same facts and the same compiled state machine as the nightly evaluation: active shared credit, the `facts`
of each line and `decided` (the SQL twin of policies.next_state compiled from TRANSITIONS: the nightly
evaluation's `transition_case` and `retention_days_case`), judged on today's facts of a set of line ids (without
the nightly "already evaluated today" filter: a posting changes the facts). What follows is what
`services.account_decide` + `services.account_transition` do for one line, for all of them in three statements: the
arrears clock starts and stops, the rules the policy lists as immediate are applied (account state, line status and its
log, barring event by the posting user, decision event, customer status, SMS), the others only answered.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from arrears import evaluation, policies, selectors, services
from arrears.choices import BarringState
from credit import touchpoints
from credit.choices import SmsStatus
from credit.sharing import active_shares_sql
from customers import events
from customers.bulk_types import array_cursor
from customers.status import customer_status_refresh

# Today's facts of the lines in %(ids)s and the state machine's answer: the same columns the nightly evaluation's
# rounds judge (arrears.evaluation.FACTS / round_sql) and its compiled CASE of policies.TRANSITIONS, for one day.
DECIDED_FOR_LINES = f"""
WITH shares AS ({active_shares_sql("%(now)s")}),  -- shared credit active now (credit.sharing)
posted AS (  -- the accounts of the lines, with the batch's new balances where it brings them (not yet written)
    SELECT a.line_id, a.customer_id, a.state, a.state_since, coalesce(n.balance, a.balance) AS balance,
           CASE WHEN n.settled THEN NULL ELSE a.arrears_since END AS arrears_since, a.exempt_until, a.exempt_cap,
           n.balance AS new_balance
    FROM arrears_lineaccount a
    LEFT JOIN unnest(%(posted)s::bigint[], %(balances)s::numeric[], %(settled)s::bool[])
              AS n(line_id, balance, settled) ON n.line_id = a.line_id
    WHERE a.line_id = ANY(%(ids)s::bigint[])
),
facts AS (
    SELECT a.line_id, a.customer_id, a.state, a.state_since, a.balance, a.arrears_since, c.credit_limit,
           a.balance + c.credit_limit + coalesce(sh.net, 0) AS usable,
           coalesce(a.exempt_until >= %(today)s
                    AND (a.exempt_cap IS NULL OR a.balance + c.credit_limit + coalesce(sh.net, 0) >= -a.exempt_cap),
                    false) AS exempt,
           CASE WHEN a.balance + c.credit_limit + coalesce(sh.net, 0) < 0
                THEN %(today)s - coalesce(a.arrears_since, %(today)s) ELSE 0 END AS days_in_arrears,
           %(today)s - a.state_since AS days_in_state,
           greatest(round(c.credit_limit * %(reminder_ratio)s, 2), %(reminder_minimum)s) AS threshold,
           {evaluation.retention_days_case()} AS retention_days
    FROM posted a JOIN customers_customer c ON c.id = a.customer_id
    JOIN customers_line l ON l.id = a.line_id AND l.status <> 'closed'  -- closed by billing: never reopened here
    LEFT JOIN shares sh ON sh.customer_id = c.id
    WHERE a.state <> 'closed'
),
decided AS (
    SELECT f.*, {evaluation.transition_case("to")} AS new_state, {evaluation.transition_case("rule")} AS rule
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


def _line_status_case(column: str) -> str:
    return "CASE " + " ".join(f"WHEN {column} = '{state}' THEN '{status}'"
                              for state, status in services.LINE_STATUS.items()) + " END"


MOVES = """moves AS (SELECT * FROM unnest(%(ids)s::bigint[], %(from)s::text[], %(to)s::text[], %(rule)s::text[],
                                          %(usable)s::numeric[], %(balance)s::numeric[], %(limit)s::numeric[])
                   AS m(line_id, state, new_state, rule, usable, balance, credit_limit))"""

# services.account_transition for every move at once (the old line status read through a second alias: the row as
# it was)
APPLY_SQL = f"""
WITH {MOVES},  -- the accounts' new state is written by DECIDE_SQL
lines AS (
    UPDATE customers_line l SET status = {_line_status_case("m.new_state")}, updated_at = %(now)s
    FROM moves m, customers_line o
    WHERE l.id = m.line_id AND o.id = l.id AND l.status <> {_line_status_case("m.new_state")}
    RETURNING l.id, l.customer_id, o.status AS old_status, l.status AS new_status
),
status_log AS (
    INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source,
                                            changed_by_id)
    SELECT lines.id, lines.old_status, lines.new_status, %(now)s, m.rule, %(policy)s, %(by)s
    FROM lines JOIN moves m ON m.line_id = lines.id
),
decision_events AS ({events.decision_events_insert_sql(
    source="moves s", line="s.line_id", kind=policies.event_kind_sql("s.state", "s.new_state"),
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

SMS_EVENT, SMS_AMOUNT = policies.barring_sms_sql("m.from_state", "m.new_state", "m.usable")

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


@dataclass(frozen=True)
class Position:
    """A line's answer after the batch: its balance, usable credit and the decision (services.Decision)."""

    balance: Decimal
    usable: Decimal
    limit: Decimal
    decision: services.Decision


def lines_decide(*, line_ids, by=None, policy: policies.BarringPolicy | None = None, today: date | None = None,
                 balances: dict[int, Decimal] | None = None, settled: set[int] = frozenset()) -> dict[int, Position]:
    """{line id: Position} for the lines whose account is open and not closed (a line closed by billing or by
    arrears is absent: its answer is "closed"). The caller holds the accounts' locks (its transaction).
    `balances`: the batch's new balance of lines (written here, in the same UPDATE as the decision: one write of
    each account per posting); `settled`: those of them whose arrears age the posting clears."""
    ids = sorted(set(line_ids))
    if not ids:
        return {}
    policy = policy or selectors.barring_policy_current()
    today, now = today or timezone.localdate(), timezone.now()
    posted = sorted(balances or ())
    params = {"ids": ids, "today": today, "now": now, "policy": policy.label,
              "reminder_ratio": policy.reminder_ratio, "reminder_minimum": policy.reminder_minimum,
              "two_way_days": policy.two_way_after_days, "by": by.pk if by else None,
              "immediate": list(policy.immediate_rules), "posted": posted,
              "balances": [balances[i] for i in posted], "settled": [i in settled for i in posted]}
    with array_cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # a large generated statement: compiling costs more than it saves
        cur.execute(DECIDE_SQL, params)
        rows = cur.fetchall()
    out, moves = {}, []
    for line_id, customer_id, state, new_state, rule, balance, limit, usable in rows:
        if not rule:
            decision = services.Decision(state)
        elif rule not in policy.immediate_rules:
            decision = services.Decision(new_state, rule, applied=False)
        else:
            decision = services.Decision(new_state, rule,
                                         restored=state in policies.BARRED and new_state == BarringState.ACTIVE)
            moves.append((line_id, customer_id, state, new_state, rule, usable, balance, limit))
        out[line_id] = Position(balance, usable, limit, decision)
    if moves:
        _apply(moves, params)
    return out


def _apply(moves: list[tuple], params: dict) -> None:
    line_ids, customers, states, targets, rules, usables, balances, limits = (list(c) for c in zip(*moves,
                                                                                                   strict=True))
    params = {**params, "ids": line_ids, "from": states, "to": targets, "rule": rules, "usable": usables,
              "balance": balances, "limit": limits, "customers": customers,
              "stamp": f"{params['now']:%Y%m%d%H%M%S%f}"}
    with array_cursor() as cur:
        cur.execute(APPLY_SQL, params)
        customer_status_refresh(customer_ids=sorted(row[0] for row in cur.fetchall()))
        cur.execute(SMS_SQL, params)
        if cur.rowcount:
            transaction.on_commit(touchpoints._dispatch_soon)  # as notify() does
