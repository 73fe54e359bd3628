"""The nightly arrears evaluation as set-based SQL over an id range of lines (the batch `arrears.evaluate`).

Per chunk, in the chunk's transaction: open missing accounts; then for EVERY day since the last done run
(core.batches.missed_days; a line is skipped on a day it was already evaluated, `LineAccount.evaluated_on`), in
date order:
accrue that day's late fees (one ledger row per line per day, referenced `late-fee-<line>-<day>`: unique, so a day
is charged exactly once whatever re-runs), age the arrears from the due date of the oldest unpaid bill, and apply
the barring policy — the SQL twin of `policies.next_state`, compiled from the same TRANSITIONS table — writing
everything a transition brings: account state, line status and its log, the barring event (rule, policy version,
run), a blacklist entry with the amount owed on closure, and the customer's SMS. So a skipped night loses nothing:
the next run (or the scheduler's catch-up, core.batches.missed_days) computes the missed days by their dates.
Every date comes from the run's period (never now()); the decision moment of a day is its 00:30 (the schedule).
Apply-once per day through core.batches and evaluated_on.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from arrears import policies, services
from arrears.choices import BarringState as S
from arrears.sql import AGING, ENSURE_ACCOUNTS
from customers import events
from customers import status as customer_status
from customers.signals import customers_closed
from core.batches import CATCH_UP_MAX_DAYS, register_batch
from credit.choices import SmsStatus
from credit.policies import STAR_POLICIES
from credit import state as credit_state
from credit.sharing import active_shares_sql

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Lines the day `today` may still change. `evaluated_on` is stamped where a day changed a line's state (in the
# same UPDATE): that line is not decided twice for the day. Everything else a day does is idempotent — the late
# fee by its unique reference, the age and a decision that found nothing to change by their inputs — so the quiet
# majority is never rewritten just to mark it evaluated.
DUE_ON_DAY = "(a.evaluated_on IS NULL OR a.evaluated_on < %(today)s::date)"

# ~1-2 s per 50k lines with their bills (2-core development machine, same shape as the rating chunks).
EVALUATE_CHUNK = 50_000
EVALUATE_KIND = "arrears.evaluate"

# The condition of each rule of policies.TRANSITIONS over the `facts` row (same meaning as policies._holds).
RULE_SQL = {
    "paid_back": "usable >= 0",
    "retention_expired": "days_in_state >= retention_days",
    "arrears_30_days": "NOT exempt AND usable < 0 AND days_in_arrears >= %(two_way_days)s",
    "usable_below_zero": "NOT exempt AND usable < 0",
    "low_credit": "usable < threshold",
    "credit_recovered": "usable >= threshold",
}

def late_fees_sql(waived: bool) -> str:
    """The day's late fees; the customers' stars are read only when the policy waives some stars."""
    star_join = "JOIN customers_customer c ON c.id = a.customer_id" if waived else ""
    star_filter = "AND NOT (coalesce(c.credit_star, -1) = ANY(%(waived_stars)s::int[]))" if waived else ""
    return LATE_FEES.format(star_join=star_join, star_filter=star_filter)


# What was overdue at the start of `today`. Bills carry what has been paid on them by now; a catch-up must not
# count payments made since (from `today` on): they went to the oldest unpaid bills first (allocation by due
# date), so what was owed on the bills due before `today` is their amount less what had been paid before it —
# never less than what is still owed on them now, never more than that plus the payments since. With no payment
# since (an on-time night) this is exactly what is unpaid on the bills past due.
LATE_FEES = """
WITH paid_since AS (
    SELECT p.line_id, sum(p.amount) AS amount FROM arrears_payment p
    WHERE p.paid_at >= %(day_start)s AND p.line_id >= %(lo)s AND p.line_id < %(hi)s
    GROUP BY p.line_id
),
candidates AS (  -- lines with a bill unpaid past due, or paid on since: only their bills are summed
    SELECT b.line_id FROM arrears_bill b
    WHERE b.line_id >= %(lo)s AND b.line_id < %(hi)s AND b.due_date < %(today)s AND b.paid_amount < b.amount
    UNION SELECT line_id FROM paid_since
),
overdue AS (
    SELECT b.line_id,
           least(sum(b.amount - b.paid_amount) FILTER (WHERE b.due_date < %(today)s) + coalesce(max(ps.amount), 0),
                 greatest(sum(b.amount - b.paid_amount) FILTER (WHERE b.due_date < %(today)s),
                          sum(b.amount) FILTER (WHERE b.due_date < %(today)s)
                          - greatest(sum(b.paid_amount) - coalesce(max(ps.amount), 0), 0))) AS owed
    FROM candidates k
    JOIN arrears_bill b ON b.line_id = k.line_id
    JOIN arrears_lineaccount a ON a.line_id = b.line_id
    JOIN customers_line l ON l.id = b.line_id AND l.status <> 'closed'  -- billing's closure is final too
    LEFT JOIN paid_since ps ON ps.line_id = b.line_id
    {star_join}
    WHERE b.line_id >= %(lo)s AND b.line_id < %(hi)s
      AND a.state <> 'closed' AND """ + DUE_ON_DAY + """ {star_filter}
    GROUP BY b.line_id
    HAVING bool_or(b.due_date < %(today)s AND (b.paid_amount < b.amount OR ps.amount IS NOT NULL))
),
fees AS (
    INSERT INTO arrears_ledgerentry (line_id, kind, amount, posted_at, reference, note)
    SELECT line_id, 'late_fee', -round(owed * %(late_fee_rate)s, 2), %(now)s,
           'late-fee-' || line_id || '-' || %(today)s, %(policy)s || ': ' || round(owed * %(late_fee_rate)s, 2)
               || ' on ' || owed || ' overdue'
    FROM overdue WHERE round(owed * %(late_fee_rate)s, 2) > 0
    ON CONFLICT (reference) DO NOTHING
    RETURNING line_id, amount
)
UPDATE arrears_lineaccount a SET balance = a.balance + f.amount FROM fees f WHERE a.line_id = f.line_id
"""


# Emergency-continuity passes that ended before today: the arrears they leave, for the recovery rates, and the
# decision event telling billing the pass is over (the line's barring follows from tonight's evaluation).
EMERGENCY_EXPIRED = """
WITH ended AS (
    UPDATE arrears_emergencypass e
    SET arrears_at_expiry = greatest(0, -(a.balance + c.credit_limit))
    FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
    WHERE a.line_id = e.line_id AND e.line_id >= %(lo)s AND e.line_id < %(hi)s
      AND e.valid_until < %(today)s AND e.arrears_at_expiry IS NULL
    RETURNING e.line_id, e.valid_until, e.arrears_at_expiry, a.state
)
""" + events.decision_events_insert_sql(
    source="ended s", line="s.line_id", kind="'emergency_pass_ended'", from_state="s.state", to_state="s.state",
    rule="'emergency_expired'", policy_version="%(policy)s", at="%(now)s",
    payload="jsonb_build_object('validUntil', s.valid_until::text, 'arrearsAtExpiry', s.arrears_at_expiry::text)")


def _case(column: str) -> str:
    whens = " ".join(
        f"WHEN state IN ({', '.join(repr(str(s)) for s in sources)}) AND ({RULE_SQL[rule]}) THEN "
        f"'{target if column == 'to' else rule}'"
        for sources, target, rule in policies.TRANSITIONS)
    return f"CASE {whens} END"


def _retention_days_case() -> str:
    whens = " ".join(f"WHEN {star} THEN {p.retention_days}" for star, p in STAR_POLICIES.items() if star is not None)
    return f"CASE c.credit_star {whens} ELSE {STAR_POLICIES[None].retention_days} END"


def _line_status_case(column: str) -> str:
    return "CASE " + " ".join(f"WHEN {column} = '{state}' THEN '{status}'"
                              for state, status in services.LINE_STATUS.items()) + " END"


def _sms_event_case() -> str:
    return "CASE " + " ".join(f"WHEN d.new_state = '{state}' THEN '{event}'"
                              for state, event in services.SMS_FOR.items()) + " END"


def evaluate_sql() -> str:
    return f"""
    WITH shares AS ({active_shares_sql("%(now)s")}),  -- shared credit active now (credit.sharing)
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
               {_retention_days_case()} AS retention_days
        FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
        JOIN customers_line l ON l.id = a.line_id AND l.status <> 'closed'  -- closed by billing: never reopened here
        LEFT JOIN shares sh ON sh.customer_id = c.id
        WHERE a.line_id >= %(lo)s AND a.line_id < %(hi)s AND a.state <> 'closed' AND {DUE_ON_DAY}
    ),
    decided AS (
        SELECT f.*, {_case("to")} AS new_state, {_case("rule")} AS rule FROM facts f
    ),
    moved AS (  -- state changes (the arrears age was set by AGING just before, from the bills)
        UPDATE arrears_lineaccount a SET state = d.new_state, state_since = %(today)s, evaluated_on = %(today)s
        FROM decided d
        WHERE a.line_id = d.line_id AND a.line_id >= %(lo)s AND a.line_id < %(hi)s AND d.new_state IS NOT NULL
    ),
    lines AS (
        UPDATE customers_line l SET status = {_line_status_case("d.new_state")},
               closed_on = CASE WHEN d.new_state = 'closed' THEN %(today)s ELSE l.closed_on END
        FROM decided d
        WHERE l.id = d.line_id AND l.id >= %(lo)s AND l.id < %(hi)s AND d.new_state IS NOT NULL
          AND l.status <> {_line_status_case("d.new_state")}
        RETURNING l.id
    ),
    status_log AS (
        INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source)
        SELECT d.line_id, {_line_status_case("d.state")}, {_line_status_case("d.new_state")}, %(now)s, d.rule,
               %(policy)s
        FROM decided d JOIN lines ON lines.id = d.line_id
    ),
    blacklisted AS (  -- closure: the person must settle before opening service again
        INSERT INTO customers_blacklistentry (id_type, id_number, customer_id, line_id, reason, amount_owed,
                                              created_at, updated_at)
        SELECT c.id_type, c.id_number, c.id, d.line_id, 'closed with arrears (' || %(policy)s || ')', -d.balance,
               %(now)s, %(now)s
        FROM decided d JOIN customers_customer c ON c.id = d.customer_id
        WHERE d.new_state = 'closed' AND d.balance < 0
    ),
    messages AS (
        INSERT INTO credit_smsmessage (customer_id, msisdn, event, body, status, attempts, dedup_key, gateway_ref,
                                       created_at)
        SELECT c.id, l.msisdn, t.event,
               replace(replace(replace(t.body, '{{name}}', c.name), '{{amount}}', greatest(-d.usable, 0)::text),
                       '{{date}}', %(today)s::text),
               '{SmsStatus.QUEUED}', 0, 'barring-' || d.line_id || '-' || d.new_state || '-' || %(today)s, '', %(now)s
        FROM decided d
        JOIN customers_customer c ON c.id = d.customer_id
        JOIN customers_line l ON l.id = d.line_id
        JOIN credit_smstemplate t ON t.active AND t.event = {_sms_event_case()}
        WHERE d.new_state IS NOT NULL
        ON CONFLICT (dedup_key) DO NOTHING
    ),
    deadline_notices AS (  -- the number will be reclaimed soon: once per barring, N days before closure
        INSERT INTO credit_smsmessage (customer_id, msisdn, event, body, status, attempts, dedup_key, gateway_ref,
                                       created_at)
        SELECT c.id, l.msisdn, t.event,
               replace(replace(replace(t.body, '{{name}}', c.name), '{{amount}}', greatest(-d.usable, 0)::text),
                       '{{date}}', (d.state_since + d.retention_days)::text),
               '{SmsStatus.QUEUED}', 0, 'retention-deadline-' || d.line_id || '-' || d.state_since, '', %(now)s
        FROM decided d
        JOIN customers_customer c ON c.id = d.customer_id
        JOIN customers_line l ON l.id = d.line_id
        JOIN credit_smstemplate t ON t.active AND t.event = 'retention_deadline'
        WHERE d.new_state IS NULL AND d.state IN ('two_way_barred', 'in_retention')
          AND d.days_in_state >= d.retention_days - %(retention_notice_days)s
        ON CONFLICT (dedup_key) DO NOTHING
    ),
    decision_events AS ({events.decision_events_insert_sql(
        source="decided s", line="s.line_id", kind=policies.event_kind_sql("s.state", "s.new_state"),
        from_state="s.state", to_state="s.new_state", rule="s.rule", policy_version="%(policy)s",
        where="s.new_state IS NOT NULL", at="%(now)s",
        payload="jsonb_build_object('accountBalance', s.balance::text, 'creditLimit', s.credit_limit::text, "
                "'usableCredit', s.usable::text)")}
    )
    INSERT INTO arrears_barringevent (line_id, from_state, to_state, rule, usable_credit, policy_version, at, run_id)
    SELECT line_id, state, new_state, rule, usable, %(policy)s, %(now)s, %(run_id)s
    FROM decided WHERE new_state IS NOT NULL
    """


CLOSED_IN_RUN = f"""SELECT DISTINCT c.id FROM customers_customer c
                   WHERE c.status = 'closed' AND c.id IN ({customer_status.CHANGED_IN_RUN})"""

# Identities this run blacklisted (a line closed in arrears): every customer of theirs is unrated at once, also
# one whose other lines are still open (its last line did not close, so customers_closed does not name it).
BLACKLISTED_IN_RUN = """SELECT DISTINCT c.id FROM customers_customer c
    JOIN customers_blacklistentry bl ON bl.id_type = c.id_type AND bl.id_number = c.id_number
    WHERE bl.created_at = %(now)s AND bl.line_id >= %(lo)s AND bl.line_id < %(hi)s AND bl.cleared_at IS NULL"""


def evaluate_chunk(lo: int, hi: int, today: date, run_id: int | None = None, *,
                   first_day: date | None = None) -> int:
    """Evaluate lines with id in [lo, hi) for every day from `first_day` (default: `today` only) through `today`,
    in date order, skipping a line on a day it was already evaluated; returns how many state changes were made."""
    policy = services.policy_in_force()
    params = {"lo": lo, "hi": hi, "run_id": run_id, "policy": policy.label,
              "reminder_ratio": policy.reminder_ratio, "reminder_minimum": policy.reminder_minimum,
              "two_way_days": policy.two_way_after_days, "late_fee_rate": policy.late_fee_rate,
              "waived_stars": list(policy.late_fee_waived_stars),
              "retention_notice_days": policy.retention_notice_days}
    first = max(min(first_day or today, today), today - timedelta(days=CATCH_UP_MAX_DAYS - 1))
    changed = 0
    with connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # a large generated statement: compiling costs more than it saves
        if _missing_accounts(cur, params):
            cur.execute(ENSURE_ACCOUNTS, {**params, **_day_params(today)})
        for n in range((today - first).days + 1):
            day_params = {**params, **_day_params(first + timedelta(days=n))}
            changed += _evaluate_day(cur, day_params, waived=bool(policy.late_fee_waived_stars))
    return changed


def decision_moment(day: date) -> datetime:
    """When a day's evaluation decides: its scheduled 00:30 (Asia/Shanghai), whenever the run actually ran."""
    return datetime.combine(day, time(0, 30), tzinfo=SHANGHAI)


def _day_params(day: date) -> dict:
    return {"today": day, "now": decision_moment(day),
            "day_start": datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)}


def _evaluate_day(cur, params: dict, *, waived: bool) -> int:
    cur.execute(late_fees_sql(waived), params)
    cur.execute(AGING.format(due="AND " + DUE_ON_DAY), params)
    cur.execute(evaluate_sql(), params)
    changed = cur.rowcount
    if changed:  # the customers of the lines whose status changed take their worst line's status
        cur.execute(customer_status.REFRESH_SQL.format(customers=customer_status.CHANGED_IN_RUN), params)
        # Customers whose last line this day closed: one signal for the chunk; credit ends theirs (credit.state)
        cur.execute(CLOSED_IN_RUN, params)
        closed = [row[0] for row in cur.fetchall()]
        if closed:
            customers_closed.send(sender=EVALUATE_KIND, customer_ids=closed, on=params["today"],
                                  reason=f"arrears closure ({params['policy']})", by=None)
        cur.execute(BLACKLISTED_IN_RUN, params)
        blacklisted = [row[0] for row in cur.fetchall()]
        if blacklisted:
            credit_state.credit_end(customer_ids=blacklisted, rule=credit_state.BLACKLISTED,
                                    reason=f"closed with arrears ({params['policy']})")
    cur.execute(EMERGENCY_EXPIRED, params)
    return changed


def _missing_accounts(cur, params) -> bool:
    """Two index-only counts (~10 ms) spare the anti-join over the chunk on every night but the first."""
    cur.execute("SELECT (SELECT count(*) FROM customers_line WHERE id >= %(lo)s AND id < %(hi)s) "
                "- (SELECT count(*) FROM arrears_lineaccount WHERE line_id >= %(lo)s AND line_id < %(hi)s)", params)
    return cur.fetchone()[0] > 0


@register_batch(EVALUATE_KIND, table="customers_line", chunk_size=EVALUATE_CHUNK)
def evaluate(lo: int, hi: int, run) -> int:
    """The run's day, and first every day since the last done run that no run covered (a skipped night)."""
    from core.batches import missed_days

    today = date.fromisoformat(run.period)
    return evaluate_chunk(lo, hi, today, run.pk, first_day=missed_days(EVALUATE_KIND, today)[0])


assert set(RULE_SQL) == {rule for _, _, rule in policies.TRANSITIONS}, "every rule needs its SQL twin"
assert S.CLOSED not in {s for sources, _, _ in policies.TRANSITIONS for s in sources}, "closed is final"


def evaluate_in_process(day: date) -> int:
    """Run (or finish) the day's evaluation here, without workers: for the demo set-up and small sites."""
    from core import batches

    run = batches.plan_run(kind=EVALUATE_KIND, period=day.isoformat())
    for chunk_id in batches.pending_chunk_ids(run):
        batches.run_chunk(chunk_id)
    run.refresh_from_db()
    return run.rows_affected
