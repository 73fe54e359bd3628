"""The nightly arrears evaluation as set-based SQL over an id range of lines (the batch `arrears.evaluate`).

A run covers a window of days: its own, and first every day since the last done run that no run covered (a skipped
night, core.batches.missed_days). The window is judged by date in a few statements per chunk, whatever its length
(no statement per day), in the chunk's transaction (the statements: arrears.sql.evaluation):

1. open missing accounts (arrears.sql.ENSURE_ACCOUNTS);
2. `eval_fee`: the late fee of every (line, day) of the window at once (generate_series): what was overdue at the
   start of that day, times the daily rate; a (line, day) charged before (its reference exists) is left out;
3. `eval_line`: the lines the window may change (not active, in arrears, or whose usable credit after the window's
   fees and the least credit shared to them falls below the reminder threshold); every other line stays active
   with no age whatever the day, so nothing more is read for it;
4. `eval_fact`: for those lines, each day's facts (balance after that day's fee, usable credit with the shares
   active that day, the arrears age from the oldest unpaid bill's due date, exemption);
5. `eval_move`: the transitions by date: each round finds every line's first day, from its cursor on, on which a
   rule of policies.TRANSITIONS holds (the same compiled CASE as the policy), moves it there and puts its cursor on
   the next day; a few rounds (one per transition in a chain, not one per day) until no line moves;
6. the writes: the fees up to a line's closing day (a closed line is charged no more), account states and ages,
   line status and its log, barring and decision events (each at its day's 00:30), blacklist entries with the
   amount owed on closure, the customers' SMS, the retention-deadline notices, the customers' status.

So a skipped night loses nothing: the next run charges each missed day once (`late-fee-<line>-<day>` is unique) and
meets each deadline on its date. A line already decided on a day (`LineAccount.evaluated_on`, stamped where a
change was made) is not decided again for it. Every date comes from the run's period (never now()); the decision
moment of a day is its 00:30 (the schedule).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from arrears import services
from arrears.sql import ENSURE_ACCOUNTS, JIT_OFF
from arrears.sql.evaluation import (ACCOUNTS, AGING_CLOSED_BY_BILLING, ANY_CLOSED, BARRING_EVENTS, BLACKLIST,
                                    CLOSED_IN_RUN, DEADLINE_NOTICES, DROP_TEMP_TABLES, DROP_TEMP_TABLES_IF_EXIST,
                                    EMERGENCY_EXPIRED, FACTS, LINES, LINES_STATUS, MESSAGES,
                                    MISSING_ACCOUNTS, MOVES_SETUP, OPEN_ACCOUNTS, fees_sql, round_sql)
from customers import status as customer_status
from customers.signals import customers_closed
from core import batches
from core.batches import CATCH_UP_MAX_DAYS, batch_register, missed_days
from credit import state as credit_state

ZONE = ZoneInfo(settings.TIME_ZONE)  # the operator's (Asia/Shanghai)

# ~1-2 s per 50k lines with their bills (2-core development machine, same shape as the rating chunks).
EVALUATE_CHUNK = 50_000
EVALUATE_KIND = "arrears.evaluate"


def evaluate_chunk(lo: int, hi: int, today: date, run_id: int | None = None, *,
                   first_day: date | None = None) -> int:
    """Evaluate lines with id in [lo, hi) for every day from `first_day` (default: `today` only) through `today`,
    skipping a line on the days it was already decided; returns how many state changes were made."""
    policy = services.barring_policy_current()
    first = max(min(first_day or today, today), today - timedelta(days=CATCH_UP_MAX_DAYS - 1))
    params = {"lo": lo, "hi": hi, "run_id": run_id, "policy": policy.label, "first": first, "last": today,
              "today": today, "now": decision_moment(today),
              "reminder_ratio": policy.reminder_ratio, "reminder_minimum": policy.reminder_minimum,
              "two_way_days": policy.two_way_after_days, "late_fee_rate": policy.late_fee_rate,
              "waived_stars": list(policy.late_fee_waived_stars),
              "retention_notice_days": policy.retention_notice_days}
    with transaction.atomic(), connection.cursor() as cur:  # the temp tables live in the chunk's transaction
        cur.execute(JIT_OFF)
        if _missing_accounts(cur, params):
            cur.execute(ENSURE_ACCOUNTS, params)
        cur.execute(DROP_TEMP_TABLES_IF_EXIST)  # a savepoint's chunk before this one
        for statement in OPEN_ACCOUNTS:
            cur.execute(statement, params)
        cur.execute(fees_sql(waived=bool(policy.late_fee_waived_stars)), params)
        cur.execute(LINES, params)
        cur.execute(FACTS, params)
        for statement in MOVES_SETUP:
            cur.execute(statement)
        changed = _moves(cur, params, rounds=(today - first).days + 1)
        for statement in ACCOUNTS:  # fees, the states moved to, and every evaluated line's age
            cur.execute(statement, params)
        cur.execute(AGING_CLOSED_BY_BILLING, params)  # their debt still ages for collections
        if changed:
            _apply_moves(cur, params)
        cur.execute(DEADLINE_NOTICES, params)
        cur.execute(EMERGENCY_EXPIRED, params)
        cur.execute(DROP_TEMP_TABLES)
    return changed


def _moves(cur, params: dict, *, rounds: int) -> int:
    """Rounds until no line moves (at most one move per line per day of the window)."""
    moved, statement = 0, round_sql()
    for _ in range(rounds):
        cur.execute(statement, params)
        if not cur.rowcount:
            break
        moved += cur.rowcount
    return moved


def _apply_moves(cur, params: dict) -> None:
    cur.execute(LINES_STATUS, params)
    changed_customers = {row[0] for row in cur.fetchall()}
    cur.execute(ANY_CLOSED)
    closed_any = cur.fetchone()[0]
    cur.execute(BARRING_EVENTS, params)
    cur.execute(MESSAGES, params)
    cur.execute(BLACKLIST, params)
    blacklisted = [row[0] for row in cur.fetchall()]
    # the customers of the lines whose status changed take their worst line's status
    customer_status.customer_status_refresh(customer_ids=changed_customers)
    # Customers whose last line closed: one signal per closing day; credit ends theirs (credit.state)
    for day, closed in _rows(cur, CLOSED_IN_RUN, params) if closed_any else ():
        customers_closed.send(sender=EVALUATE_KIND, customer_ids=list(closed), on=day,
                              reason=f"arrears closure ({params['policy']})", by=None)
    if blacklisted:
        credit_state.credit_end(customer_ids=blacklisted, rule=credit_state.BLACKLISTED,
                                reason=f"closed with arrears ({params['policy']})")


def _rows(cur, sql: str, params: dict) -> list:
    cur.execute(sql, params)
    return cur.fetchall()


def decision_moment(day: date) -> datetime:
    """When a day's evaluation decides: its scheduled 00:30 (Asia/Shanghai), whenever the run actually ran."""
    return datetime.combine(day, time(0, 30), tzinfo=ZONE)


def _missing_accounts(cur, params) -> bool:
    """Two index-only counts (~10 ms) spare the anti-join over the chunk on every night but the first."""
    cur.execute(MISSING_ACCOUNTS, params)
    return cur.fetchone()[0] > 0


@batch_register(EVALUATE_KIND, table="customers_line", chunk_size=EVALUATE_CHUNK,
                analyze=("arrears_lineaccount", "customers_line"))
def evaluate(lo: int, hi: int, run) -> int:
    """The run's day, and first every day since the last done run that no run covered (a skipped night)."""
    today = date.fromisoformat(run.period)
    return evaluate_chunk(lo, hi, today, run.pk, first_day=missed_days(EVALUATE_KIND, today)[0])


def evaluate_in_process(day: date) -> int:
    """Run (or finish) the day's evaluation here, without workers: for the demo set-up and small sites."""
    return batches.batch_run_in_process(EVALUATE_KIND, day.isoformat()).rows_affected
