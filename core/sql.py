"""The one home of what every app's raw SQL shares: the user's scope as SQL, table names and the time zone.

Each app keeps its own statements in `<app>/sql.py`; they splice what they need from here, so an empty scope,
a renamed table or the province's time zone is handled in one place."""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection

from core.choices import BatchStatus
from core.models import BatchRun, IdempotencyRecord
from core.scope import customer_scope_q

# core sits below customers (see .importlinter): it names the scoped model by label, as settings name
# AUTH_USER_MODEL, so the scope rule stays here without core importing customers.
SCOPED_MODEL = "customers.Customer"

# An id list that is empty in SQL (a lead without a team, an account manager with an empty book). Django
# compiles an empty scope to no SQL at all (EmptyResultSet), not to an empty subquery: c9d8220 met it first.
NO_IDS = "SELECT NULL::bigint WHERE false"


def table(model) -> str:
    """The model's table, quoted for splicing into a statement (never hand-written in SQL)."""
    return connection.ops.quote_name(model._meta.db_table)


def time_zone() -> str:
    """The province's time zone (settings.TIME_ZONE), as a parameter for AT TIME ZONE / timezone()."""
    return settings.TIME_ZONE


def scope_ids_sql(user) -> tuple[str | None, list]:
    """The ids of the customers `user` may see, as a subquery and its parameters; (None, []) for the
    province-wide roles (no restriction), NO_IDS for an empty scope."""
    q = customer_scope_q(user)
    if not q:
        return None, []
    customers = apps.get_model(SCOPED_MODEL)
    try:
        sql, params = customers.objects.filter(q).values("pk").query.sql_with_params()
    except EmptyResultSet:
        return NO_IDS, []
    return sql, list(params)


def customer_scope_sql(user, column: str) -> tuple[str, list]:
    """`AND <column> IN (the user's customers)` and its parameters: nothing for the province-wide roles and
    `AND false` for an empty scope."""
    sql, params = scope_ids_sql(user)
    if sql is None:
        return "", []
    if sql == NO_IDS:
        return "AND false", []
    return f"AND {column} IN ({sql})", params


def named_params(sql: str, params: list, *, prefix: str) -> tuple[str, dict]:
    """A spliced fragment's positional %s as named parameters `%(<prefix><i>)s`, for statements that take named
    ones (a scope subquery spliced into a statement with %(since)s and the like)."""
    parts = sql.split("%s")
    named = "".join(p + (f"%({prefix}{i})s" if i < len(parts) - 1 else "") for i, p in enumerate(parts))
    return named, {f"{prefix}{i}": v for i, v in enumerate(params)}


# --- statements of core's own tables ------------------------------------------------------------------------

# An API write's idempotency key, claimed before the write runs (a second request with the key waits on the
# unique index until the first commits or rolls back); RETURNING id is None when the key was already there.
IDEMPOTENCY_CLAIM_SQL = f"""INSERT INTO {table(IdempotencyRecord)} (user_id, key, endpoint, request_hash, status_code,
                                                    response, created_at)
VALUES (%s, %s, %s, %s, 0, 'null', now()) ON CONFLICT (user_id, key) DO NOTHING RETURNING id"""
# The claimed key filled in with the answer: its JSON text stored as it is (a text column: no jsonb parse of a
# 10,000-row bulk answer; a replay sends the same bytes).
IDEMPOTENCY_ANSWER_SQL = f"UPDATE {table(IdempotencyRecord)} SET status_code = %s, response = %s WHERE id = %s"

# Batch runs by kind and status, and the chunks still to do of running runs (the /metrics gauges).
BATCH_RUNS_SQL = f"SELECT kind, status, count(*) FROM {table(BatchRun)} GROUP BY kind, status"
BATCH_CHUNKS_PENDING_SQL = (f"SELECT kind, sum(total_chunks - done_chunks) FROM {table(BatchRun)} "
                            f"WHERE status = '{BatchStatus.RUNNING}' GROUP BY kind")

# The readiness probe: the database answers.
PING_SQL = "SELECT 1"


def analyze_sql(table_names) -> str:
    """Fresh planner statistics for the tables a finished batch rewrote (core.batches)."""
    return "ANALYZE " + ", ".join(connection.ops.quote_name(name) for name in table_names)


def id_bounds_sql(table_name: str) -> str:
    """min(id) and max(id) of a batch's table (named by its db_table in the batch registry)."""
    return f"SELECT min(id), max(id) FROM {connection.ops.quote_name(table_name)}"
