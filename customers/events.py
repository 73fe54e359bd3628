"""Decisions out (issue 20): the ordered, durable log of what billing must act on.

Every decision path writes its event in the decision's own transaction: one line through
`decision_event_record`, a batch through the INSERT … SELECT that `decision_events_insert_sql` builds (the
nightly evaluation adds it to its statement over the same changed rows). Readers page on `seq`, which
`events_sequence` gives rows once they are committed (see DecisionEvent); /api/billing/events/ and the webhook
dispatcher call it before they read.
"""

import json

from django.db import connection, transaction
from django.utils import timezone

from core.scope import customer_scope_q
from customers.models import DecisionEvent

SEQUENCER_LOCK = 0x20_20_20  # pg advisory lock: one numbering at a time, so cursors follow commit order

_INSERT = """
INSERT INTO customers_decisionevent (line_id, customer_id, msisdn, kind, from_state, to_state, rule, policy_version,
                                     payload, occurred_at)
SELECT l.id, l.customer_id, l.msisdn, %(kind)s, %(from)s, %(to)s, %(rule)s, %(policy)s, %(payload)s::jsonb, %(at)s
FROM customers_line l WHERE l.id = %(line)s
RETURNING id
"""


def decision_event_record(*, line_id: int, kind: str, from_state: str = "", to_state: str = "", rule: str = "",
                          policy_version: str = "", payload: dict | None = None, at=None) -> int:
    """One event for one line, in the caller's transaction (one statement: the line gives msisdn and customer)."""
    with connection.cursor() as cur:
        cur.execute(_INSERT, {"kind": kind, "from": str(from_state or ""), "to": str(to_state or ""),
                              "rule": rule or "", "policy": policy_version or "",
                              "payload": json.dumps(payload or {}, default=str), "at": at or timezone.now(),
                              "line": line_id})
        return cur.fetchone()[0]


def decision_events_insert_sql(*, source: str, line: str, kind: str, from_state: str, to_state: str, rule: str,
                               policy_version: str, payload: str = "'{}'::jsonb", at: str = "now()",
                               where: str = "true") -> str:
    """The set-based form: `INSERT … SELECT` of one event per row of `source` (a table, CTE or subquery with
    alias `s`), each argument an SQL expression over `s`. Rows whose kind is NULL write nothing (a change billing
    need not act on). Usable as a data-modifying CTE inside a batch's statement."""
    return f"""
    INSERT INTO customers_decisionevent (line_id, customer_id, msisdn, kind, from_state, to_state, rule,
                                         policy_version, payload, occurred_at)
    SELECT el.id, el.customer_id, el.msisdn, ev.kind, ev.from_state, ev.to_state, ev.rule, ev.policy_version,
           ev.payload, ev.at
    FROM (SELECT {line} AS line_id, {kind} AS kind, ({from_state})::text AS from_state, ({to_state})::text AS to_state,
                 ({rule})::text AS rule, ({policy_version})::text AS policy_version, {payload} AS payload, {at} AS at
          FROM {source} WHERE {where}) ev
    JOIN customers_line el ON el.id = ev.line_id
    WHERE ev.kind IS NOT NULL
    """


def decision_events_record_sql(cur, sql: str, params: dict) -> int:
    """Run a statement built by `decision_events_insert_sql` (standalone, not as a CTE); rows written."""
    cur.execute(sql, params)
    return cur.rowcount


def events_sequence(limit: int = 100_000) -> int:
    """Give the committed, unnumbered events their cursor, in id order, above every cursor given before.
    Its own transaction under an advisory lock: a row committed after this run is numbered by a later one."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
        cur.execute("""
            WITH base AS (SELECT coalesce(max(seq), 0) AS top FROM customers_decisionevent),
            todo AS (SELECT id, row_number() OVER (ORDER BY id) AS n
                     FROM (SELECT id FROM customers_decisionevent WHERE seq IS NULL ORDER BY id LIMIT %s) u)
            UPDATE customers_decisionevent e SET seq = base.top + todo.n
            FROM todo, base WHERE e.id = todo.id""", [limit])
        return cur.rowcount


def events_after(cursor: int, *, limit: int, user=None) -> list[DecisionEvent]:
    """Sequenced events after `cursor`, oldest first; with `user`, only those of customers in their scope."""
    events = DecisionEvent.objects.filter(seq__gt=cursor).order_by("seq")
    if user is not None:
        events = events.filter(customer_scope_q(user, "customer__"))
    return list(events[:limit])
