"""Customers' raw SQL: a customer's status from their lines, the average-spend refresh, decision events,
onboarding and intake in bulk (INSERT … SELECT FROM unnest of one array per column), the person locks.

Set-based over ids or id ranges; the batches' dates come from the run's period (%(day)s), never now(). The
builders take column lists and models (never values: those are parameters)."""

from django.db import connection

from core.sql import table
from customers.choices import DecisionKind
from customers.models import Line

SEVERITY = ("active", "one_way_barred", "two_way_barred", "in_retention")

_REFRESH = f"""
UPDATE customers_customer c SET status = w.status, updated_at = now()
FROM (
    SELECT l.customer_id,
           coalesce((ARRAY{list(SEVERITY)})[max(array_position(ARRAY{list(SEVERITY)}, l.status::text))],
                    'closed') AS status
    FROM customers_line l
    WHERE {{lines}}
    GROUP BY l.customer_id
) w
WHERE c.id = w.customer_id AND c.status IS DISTINCT FROM w.status
"""
# The customers given as an id array: their lines read by the customer index, not by hashing every line.
REFRESH_IDS_SQL = _REFRESH.replace("{lines}", "l.customer_id = ANY(%(ids)s::bigint[])")
# Customers with id in [lo, hi): their lines read by an index range, not a semi-join over every line.
REFRESH_RANGE_SQL = _REFRESH.replace("{lines}", "l.customer_id >= %(lo)s AND l.customer_id < %(hi)s")


# Average monthly bill over the 6 months before the run's day, for customers with id in [lo, hi).
SPEND_SQL = """WITH last6 AS (
    SELECT u.customer_id, sum(u.bill_amount) / count(DISTINCT u.month) AS spend
    FROM customers_usagesummary u
    WHERE u.customer_id >= %(lo)s AND u.customer_id < %(hi)s
      AND u.month >= date_trunc('month', %(day)s::date) - interval '6 months'
    GROUP BY u.customer_id
)
UPDATE customers_customer c SET avg_monthly_spend = round(last6.spend, 2)
FROM last6
WHERE c.id = last6.customer_id AND c.avg_monthly_spend IS DISTINCT FROM round(last6.spend, 2)
"""


# --- decision events (customers.events) ---------------------------------------------------------------------

# One event for one line (the line gives msisdn and customer).
DECISION_EVENT_INSERT_SQL = """
INSERT INTO customers_decisionevent (line_id, customer_id, msisdn, kind, from_state, to_state, rule, policy_version,
                                     payload, occurred_at)
SELECT l.id, l.customer_id, l.msisdn, %(kind)s, %(from)s, %(to)s, %(rule)s, %(policy)s, %(payload)s::jsonb, %(at)s
FROM customers_line l WHERE l.id = %(line)s
RETURNING id
"""


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


# One numbering at a time (pg advisory lock), so cursors follow commit order.
EVENTS_SEQUENCER_LOCK_SQL = "SELECT pg_advisory_xact_lock(%s)"
# The committed, unnumbered events (at most %s) numbered in id order above every number given before.
EVENTS_SEQUENCE_SQL = """
WITH base AS (SELECT coalesce(max(seq), 0) AS top FROM customers_decisionevent),
todo AS (SELECT id, row_number() OVER (ORDER BY id) AS n
         FROM (SELECT id FROM customers_decisionevent WHERE seq IS NULL ORDER BY id LIMIT %s) u)
UPDATE customers_decisionevent e SET seq = base.top + todo.n
FROM todo, base WHERE e.id = todo.id"""


# --- onboarding and line openings (customers.services, customers.onboarding) ---------------------------------

# A person's lock, shared with the onboarding gate: one onboarding or line opening of the person at a time
# (parameters: the gate, the person lock's class, the ID number).
PERSON_LOCK_SQL = "SELECT pg_advisory_xact_lock_shared(%s, 0), pg_advisory_xact_lock(%s, hashtext(%s))"
# The whole onboarding gate, exclusively: single onboardings and line openings (which hold it shared with their
# person's lock) wait until the batch commits, so what the batch checked still holds when it is written.
LOCK_GATE_SQL = "SELECT pg_advisory_xact_lock(%s, 0)"

# What is still owed on open blacklist entries (after payments), per identity.
PERSON_FACTS_SQL = """SELECT id_type, id_number, sum(amount_owed - amount_paid) FROM customers_blacklistentry
                      WHERE id_number = ANY(%(ids)s::text[]) AND cleared_at IS NULL GROUP BY id_type, id_number"""
# Per ID number over every record with it (as single onboarding counts): the best star, the lines not closed, and
# the ID types on record with it (the identities that exist already: read in the same scan of the customers).
PERSON_COUNTS_SQL = """SELECT c.id_number, max(c.credit_star),
                              (SELECT count(*) FROM customers_line l JOIN customers_customer o ON o.id = l.customer_id
                               WHERE o.id_number = c.id_number AND l.status <> 'closed'),
                              array_agg(c.id_type)
                       FROM customers_customer c WHERE c.id_number = ANY(%(ids)s::text[]) GROUP BY c.id_number"""
TAKEN_NUMBERS_SQL = "SELECT msisdn FROM customers_line WHERE msisdn = ANY(%(msisdns)s::text[])"


def insert_rows_sql(model, fields, *, arrayed: set[str], key: tuple[str, ...]) -> str:
    """INSERT of `fields` of `model`: the `arrayed` columns from one array each (parameter `r_<column>`), the
    others one value for the whole batch (parameter `c_<column>`), each cast to its column type; returning id and
    the natural `key`."""
    select, arrays = [], []
    for f in fields:
        kind = f.db_type(connection)
        if f.column in arrayed:
            arrays.append(f"%(r_{f.column})s::{kind}[]")
            select.append(f"v.{f.column}")
        else:
            select.append(f"%(c_{f.column})s::{kind}")
    names = [f.column for f in fields if f.column in arrayed]
    return f"""
            INSERT INTO {model._meta.db_table} ({", ".join(f.column for f in fields)})
            SELECT {", ".join(select)} FROM unnest({", ".join(arrays)}) AS v({", ".join(names)})
            RETURNING id, {", ".join(key)}"""


def insert_rows_with_history_sql(model, fields, *, arrayed: set[str], key: tuple[str, ...],
                                 copied: list[str]) -> str:
    """insert_rows_sql and the new rows' "+" history rows in one statement: the history copied from the inserted
    rows as they come back (RETURNING *), not read again by id (parameters: insert_rows_sql's, and %(h_date)s,
    %(h_reason)s, %(h_user)s); returning id and the natural `key`."""
    insert = insert_rows_sql(model, fields, arrayed=arrayed, key=key).replace(
        f"RETURNING id, {', '.join(key)}", "RETURNING *")
    assert "RETURNING *" in insert, "insert_rows_sql's RETURNING moved"
    return f"""
            WITH new AS ({insert}),
            history AS (
                INSERT INTO {model.history.model._meta.db_table} ({", ".join(copied)}, history_date,
                                                      history_change_reason, history_type, history_user_id)
                SELECT {", ".join(copied)}, %(h_date)s, %(h_reason)s, '+', %(h_user)s FROM new
            )
            SELECT id, {", ".join(key)} FROM new"""


def history_copy_sql(model, *, copied: list[str]) -> str:
    """The "+" history rows of `model`'s new rows (ids as an array), copied by INSERT … SELECT (parameters: the
    history date, the reason, the user, the ids)."""
    return f"""
            INSERT INTO {model.history.model._meta.db_table} ({", ".join(copied)}, history_date,
                                                  history_change_reason, history_type, history_user_id)
            SELECT {", ".join(copied)}, %s, %s, '+', %s FROM {model._meta.db_table} WHERE id = ANY(%s::bigint[])"""


# --- intake (customers.inputs, customers.bulk, customers.bulk_types, customers.api.inputs) ------------------

# `msisdn = ANY(<one array>)`: a bulk's 10,000 numbers as one parameter (an IN list of 10,000 placeholders costs
# more to send and plan than the lookup itself). For RawSQL over Line.
MSISDN_IN_SQL = f"{table(Line)}.msisdn = ANY(%s::text[])"


def insert_unnest_sql(model, names: list[str], *, returning: str = "", conflict: str = "") -> str:
    """One INSERT … SELECT FROM unnest(...) of equal-length column arrays (one parameter per name), cast to the
    model's column types."""
    types = {f.column: f.db_type(connection) for f in model._meta.concrete_fields}
    return (f"INSERT INTO {table(model)} ({', '.join(connection.ops.quote_name(n) for n in names)}) "
            f"SELECT * FROM unnest({', '.join(f'%s::{types[n]}[]' for n in names)}) {conflict}"
            + (f" RETURNING {returning}" if returning else ""))


# Bulk onboarding's identity callbacks, one for each customer who joined today: the customers as one array, what
# every callback of the batch shares as one value each (not six more 10,000-element arrays to write and parse).
CALLBACKS_INSERT_SQL = """
INSERT INTO customers_onboardingcallback (customer_id, due_on, assigned_to_id, status, outcome, created_at,
                                          updated_at)
SELECT id, %(due_on)s::date, %(assigned_to)s::integer, %(status)s, %(outcome)s, %(now)s::timestamptz,
       %(now)s::timestamptz
FROM unnest(%(ids)s::bigint[]) AS id"""


def inputs_upsert_sql(model, *, key: tuple[str, ...], columns: tuple[str, ...]) -> str:
    """An input kind's items as one INSERT … SELECT FROM unnest(line, customer, key…, columns…) ON CONFLICT
    (line, key) DO UPDATE of the figures (and received_at, first parameter, where the model stamps it);
    RETURNING line_id, the key and whether the row is new."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    names = ("line", "customer", *key, *columns)
    stamped = "received_at" in fields  # when the fact last came in (not on the older Device table)
    insert = [fields[n].column for n in names] + (["received_at"] if stamped else [])
    arrays = ", ".join(f"%s::{fields[n].db_type(connection)}[]" for n in names)
    conflict = ", ".join(fields[n].column for n in ("line", *key))
    update = [f"{fields[n].column} = EXCLUDED.{fields[n].column}" for n in columns]
    update += ["received_at = EXCLUDED.received_at"] if stamped else []
    return (f"INSERT INTO {model._meta.db_table} ({', '.join(insert)}) "
            f"SELECT *{', %s' if stamped else ''} FROM unnest({arrays}) "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(update)} "
            f"RETURNING line_id, {', '.join(fields[n].column for n in key)}, (xmax = 0) AS created")


# The day each device on these lines was replaced: the next device's first use on the same line.
SUPERSEDE_SQL = """
UPDATE customers_device d SET superseded_on = n.next_on
FROM (SELECT id, lead(started_on) OVER (PARTITION BY line_id ORDER BY started_on) AS next_on
      FROM customers_device WHERE line_id = ANY(%s::bigint[])) n
WHERE d.id = n.id AND d.superseded_on IS DISTINCT FROM n.next_on"""

# Which of a batch's (line, month) keys `k` are already in `table`: one index probe per key (a join let the planner
# merge the batch with the whole unique index, in parallel workers: more CPU than the probes on a shared machine)
PROBE = """CROSS JOIN LATERAL (SELECT FROM {table} x WHERE x.line_id = k.line_id AND x.{column} = k.{column}
                               LIMIT 1) found"""


def usage_upsert_sql(types: dict[str, str], *, figures: list[str]) -> str:
    """Usage summaries from one array per column (`types`: column -> SQL type, in parameter order); a month again
    replaces its `figures`. Answers the (line_id, month) pairs that were there already: the rows the upsert updated
    (xmax = 0 only on a row this statement inserted), told by the write itself rather than by a probe of the unique
    index before it (one index descent per item less), and only those (usually none) sent back."""
    return f"""
            WITH upserted AS (
                INSERT INTO customers_usagesummary ({", ".join(types)})
                SELECT * FROM unnest({", ".join(f"%s::{t}[]" for t in types.values())})
                ON CONFLICT (line_id, month) DO UPDATE SET {", ".join(f"{f} = EXCLUDED.{f}" for f in figures)}
                RETURNING line_id, month, xmax = 0 AS created
            )
            SELECT line_id, month FROM upserted WHERE NOT created"""


_LOCK_LINES = """SELECT l.id, l.customer_id, l.status, l.reopen_until, {star} FROM customers_line l {join}
                 WHERE l.id = ANY(%s::bigint[]) ORDER BY l.id FOR UPDATE OF l"""
LOCK_LINES_SQL = _LOCK_LINES.format(star="c.credit_star", join="JOIN customers_customer c ON c.id = l.customer_id")
# A round that closes no line reads no star (only a closure's retention period needs it): the lines alone, not
# joined with every customer (half the statement's time for a round of barrings)
LOCK_LINES_NO_STAR_SQL = _LOCK_LINES.format(star="NULL AS credit_star", join="")
OPEN_LINES_SQL = ("SELECT customer_id, count(*) FROM customers_line WHERE customer_id = ANY(%s::bigint[]) "
                  "AND status <> 'closed' GROUP BY customer_id")
_CHANGES = """changes AS (SELECT * FROM unnest(%(ids)s::bigint[], %(from)s::text[], %(to)s::text[],
                                            %(at)s::timestamptz[], %(reason)s::text[], %(on)s::date[],
                                            %(until)s::date[]) AS c(line_id, from_status, to_status, changed_at,
                                                                    reason, closed_on, reopen_until))"""
# intake.line_status_report for every change of a round at once: the log, the line, billing's closure event
APPLY_CHANGES_SQL = f"""
WITH {_CHANGES},
status_log AS (
    INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source,
                                            changed_by_id)
    SELECT line_id, from_status, to_status, changed_at, reason, 'billing', %(by)s FROM changes
),
lines AS (
    UPDATE customers_line l SET status = c.to_status,
           closed_on = CASE WHEN c.to_status = 'closed' THEN c.closed_on
                            WHEN c.from_status = 'closed' THEN NULL ELSE l.closed_on END,
           reopen_until = CASE WHEN c.to_status = 'closed' THEN c.reopen_until
                               WHEN c.from_status = 'closed' THEN NULL ELSE l.reopen_until END
    FROM changes c WHERE l.id = c.line_id
)
{decision_events_insert_sql(
    source="changes s", line="s.line_id", kind=f"'{DecisionKind.CLOSED}'", from_state="s.from_status",
    to_state="s.to_status", rule="'billing_closure'", policy_version="'billing'", at="s.changed_at",
    where="s.to_status = 'closed'",
    payload="jsonb_build_object('closedOn', s.closed_on::text, 'reopenUntil', s.reopen_until::text, "
            "'reason', s.reason)")}
"""
