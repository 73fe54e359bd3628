"""Decisions out (issue 20): the ordered, durable log of what billing must act on.

Every decision path writes its event in the decision's own transaction: one line through
`decision_event_record`, a batch through the INSERT … SELECT that `customers.sql.decision_events_insert_sql` builds (the
nightly evaluation adds it to its statement over the same changed rows). Readers page on `seq`, which
`events_sequence` gives rows once they are committed (see DecisionEvent); /api/billing/events/ and the webhook
dispatcher call it before they read.
"""

import json

from django.db import connection, transaction

from core import clock
from core.scope import customer_scope_q
from customers import sql
from customers.models import DecisionEvent
# re-exported: arrears' statements build their events with it (`events.decision_events_insert_sql`)
from customers.sql import decision_events_insert_sql as decision_events_insert_sql

SEQUENCER_LOCK = 0x20_20_20  # pg advisory lock: one numbering at a time, so cursors follow commit order

def decision_event_record(*, line_id: int, kind: str, from_state: str = "", to_state: str = "", rule: str = "",
                          policy_version: str = "", payload: dict | None = None, at=None) -> int:
    """One event for one line, in the caller's transaction (one statement: the line gives msisdn and customer)."""
    with connection.cursor() as cur:
        cur.execute(sql.DECISION_EVENT_INSERT_SQL, {
            "kind": kind, "from": str(from_state or ""), "to": str(to_state or ""), "rule": rule or "",
            "policy": policy_version or "", "payload": json.dumps(payload or {}, default=str),
            "at": at or clock.now(), "line": line_id})
        return cur.fetchone()[0]


def decision_events_record_sql(cur, statement: str, params: dict) -> int:
    """Run a statement built by `decision_events_insert_sql` (standalone, not as a CTE); rows written."""
    cur.execute(statement, params)
    return cur.rowcount


def events_sequence(limit: int = 100_000) -> int:
    """Give the committed, unnumbered events their cursor, in id order, above every cursor given before.
    Its own transaction under an advisory lock: a row committed after this run is numbered by a later one."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql.EVENTS_SEQUENCER_LOCK_SQL, [SEQUENCER_LOCK])
        cur.execute(sql.EVENTS_SEQUENCE_SQL, [limit])
        return cur.rowcount


def events_after(cursor: int, *, limit: int, user=None) -> list[DecisionEvent]:
    """Sequenced events after `cursor`, oldest first; with `user`, only those of customers in their scope."""
    events = DecisionEvent.objects.filter(seq__gt=cursor).order_by("seq")
    if user is not None:
        events = events.filter(customer_scope_q(user, "customer__"))
    return list(events[:limit])
