"""The real-time barring decision for a whole batch of lines, set-based (the bulk intake's answer, issue 20).

The same facts and the same compiled state machine as the nightly evaluation: active shared credit, the `facts`
of each line and `decided` (the SQL twin of policies.next_state compiled from TRANSITIONS: the nightly
evaluation's `transition_case` and `retention_days_case`), judged on today's facts of a set of line ids (without
the nightly "already evaluated today" filter: a posting changes the facts). What follows is what
`services.account_decide` + `services.account_transition` do for one line, for all of them in three statements: the
arrears clock starts and stops, the rules the policy lists as immediate are applied (account state, line status and its
log, barring event by the posting user, decision event, customer status, SMS), the others only answered.
"""

from typing import NamedTuple
from datetime import date
from decimal import Decimal

from django.db import transaction

from core import clock
from arrears import policies, services
from arrears.choices import BarringState
from arrears.sql import JIT_OFF
from arrears.sql.realtime import APPLY_SQL, DECIDE_SQL, JUDGE_SQL, SMS_SQL
from credit import touchpoints
from customers.bulk_types import array_cursor
from customers.status import customer_status_refresh


class Position(NamedTuple):  # one per line of a batch: a named tuple (customers.bulk_types.LineRef)
    """A line's answer after the batch: its balance, usable credit and the decision (services.Decision)."""

    balance: Decimal
    usable: Decimal
    limit: Decimal
    decision: services.Decision


def _params(ids: list[int], by, policy: policies.BarringPolicy | None, today: date | None,
            balances: dict[int, Decimal] | None = None, settled: set[int] = frozenset(),
            aged: bool = False) -> tuple[policies.BarringPolicy, dict]:
    policy = policy or services.barring_policy_current()
    today, now = today or clock.today(), clock.now()
    posted = sorted(balances or ())
    return policy, {"ids": ids, "today": today, "now": now, "policy": policy.label,
                    "reminder_ratio": policy.reminder_ratio, "reminder_minimum": policy.reminder_minimum,
                    "two_way_days": policy.two_way_after_days, "by": by.pk if by else None,
                    "immediate": list(policy.immediate_rules), "posted": posted,
                    "balances": [balances[i] for i in posted], "settled": [i in settled for i in posted],
                    "aged": aged}


def _position(row, policy: policies.BarringPolicy, unmoved: dict) -> tuple[Position, bool]:
    """(a decided row's Position, whether it is a move the policy applies at once); `unmoved`: one Decision per
    state for the lines no rule moves (it is frozen), shared over a batch."""
    line_id, customer_id, state, new_state, rule, balance, limit, usable = row[:8]
    if not rule:
        decision, applied = unmoved.get(state) or unmoved.setdefault(state, services.Decision(state)), False
    elif rule not in policy.immediate_rules:
        decision, applied = services.Decision(new_state, rule, applied=False), False
    else:
        decision, applied = services.Decision(
            new_state, rule, restored=state in policies.BARRED and new_state == BarringState.ACTIVE), True
    return Position(balance, usable, limit, decision), applied


def lines_decide(*, line_ids, by=None, policy: policies.BarringPolicy | None = None, today: date | None = None,
                 balances: dict[int, Decimal] | None = None, settled: set[int] = frozenset(),
                 aged: bool = False) -> dict[int, Position]:
    """{line id: Position} for the lines whose account is open and not closed (a line closed by billing or by
    arrears is absent: its answer is "closed"). The caller holds the accounts' locks (its transaction).
    `balances`: the batch's new balance of lines (written here, in the same UPDATE as the decision: one write of
    each account per posting); `settled`: those of them whose arrears age the posting clears; `aged`: the others
    age from their oldest bill left unpaid past due (a payment's: arrears.sql.AGING for these lines, in the same
    write)."""
    ids = sorted(set(line_ids))
    if not ids:
        return {}
    policy, params = _params(ids, by, policy, today, balances, settled, aged)
    with array_cursor() as cur:
        cur.execute(JIT_OFF)
        cur.execute(DECIDE_SQL, params)
        rows = cur.fetchall()
    out, moves, unmoved = {}, [], {}
    for row in rows:
        out[row[0]], applied = _position(row, policy, unmoved)
        if applied:
            line_id, customer_id, state, new_state, rule, balance, limit, usable = row
            moves.append((line_id, customer_id, state, new_state, rule, usable, balance, limit))
    if moves:
        _apply(moves, params)
    return out


def lines_judge(*, line_ids, policy: policies.BarringPolicy | None = None,
                today: date | None = None) -> tuple[dict[int, Position], set[int]]:
    """The answer `lines_decide` gives lines the batch brings no balance for (a usage post's), read without
    locking or writing: ({line id: Position} of the open lines with nothing to write, the ids of those with
    something to write — a rule the policy applies at once, the arrears clock starting or stopping —, which the
    caller locks and decides with `lines_decide`). Lines absent from both are closed or have no account.
    Nothing the decision reads is written by what such a batch brings, so an answer read without the lock is the
    one the locked read gives, as if the batch had come just before a concurrent posting to the same line."""
    ids = sorted(set(line_ids))
    if not ids:
        return {}, set()
    policy, params = _params(ids, None, policy, today)
    with array_cursor() as cur:
        cur.execute(JIT_OFF)
        cur.execute(JUDGE_SQL, params)
        rows = cur.fetchall()
    out, writes, unmoved = {}, set(), {}
    for row in rows:
        if row[8]:
            writes.add(row[0])
        else:
            out[row[0]] = _position(row, policy, unmoved)[0]
    return out, writes


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
