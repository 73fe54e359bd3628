"""The nightly arrears evaluation as set-based SQL over an id range of lines (the batch `arrears.evaluate`).

Per chunk, in the chunk's transaction: open missing accounts; accrue the day's late fees; then one
statement applies the barring policy — the SQL twin of `policies.next_state`, compiled from the same
TRANSITIONS table — and writes everything a transition brings: account state, line status and its log,
the barring event (rule, policy version, run), a blacklist entry with the amount owed on closure, and the
customer's SMS. Apply-once per day through core.batches.
"""

from datetime import date

from django.db import connection
from django.utils import timezone

from arrears import policies, services
from arrears.choices import BarringState as S
from arrears.closures import send_customers_closed
from arrears.sql import ENSURE_ACCOUNTS
from customers import status as customer_status
from core.batches import register_batch
from credit.choices import SmsStatus
from credit.policies import STAR_POLICIES

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


LATE_FEES = """
WITH overdue AS (
    SELECT b.line_id, sum(b.amount - b.paid_amount) AS owed
    FROM arrears_bill b
    JOIN arrears_lineaccount a ON a.line_id = b.line_id
    {star_join}
    WHERE b.line_id >= %(lo)s AND b.line_id < %(hi)s AND b.due_date < %(today)s AND b.paid_amount < b.amount
      AND a.state <> 'closed' {star_filter}
    GROUP BY b.line_id
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


# Emergency-continuity passes that ended before today: the arrears they leave, for the recovery rates.
EMERGENCY_EXPIRED = """
UPDATE arrears_emergencypass e
SET arrears_at_expiry = greatest(0, -(a.balance + c.credit_limit))
FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
WHERE a.line_id = e.line_id AND e.line_id >= %(lo)s AND e.line_id < %(hi)s
  AND e.valid_until < %(today)s AND e.arrears_at_expiry IS NULL
"""


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
    WITH facts AS (
        SELECT a.line_id, a.customer_id, a.state, a.state_since, a.balance, a.arrears_since, c.credit_limit,
               a.balance + c.credit_limit AS usable,
               coalesce(a.exempt_until >= %(today)s
                        AND (a.exempt_cap IS NULL OR a.balance + c.credit_limit >= -a.exempt_cap), false) AS exempt,
               CASE WHEN a.balance + c.credit_limit < 0 THEN %(today)s - coalesce(a.arrears_since, %(today)s)
                    ELSE 0 END AS days_in_arrears,
               %(today)s - a.state_since AS days_in_state,
               greatest(round(c.credit_limit * %(reminder_ratio)s, 2), %(reminder_minimum)s) AS threshold,
               {_retention_days_case()} AS retention_days
        FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
        WHERE a.line_id >= %(lo)s AND a.line_id < %(hi)s AND a.state <> 'closed'
    ),
    decided AS (
        SELECT f.*, {_case("to")} AS new_state, {_case("rule")} AS rule FROM facts f
    ),
    moved AS (  -- state changes, and the arrears clock started or stopped
        UPDATE arrears_lineaccount a
        SET state = coalesce(d.new_state, a.state),
            state_since = CASE WHEN d.new_state IS NOT NULL THEN %(today)s ELSE a.state_since END,
            arrears_since = CASE WHEN d.usable < 0 AND d.new_state IS DISTINCT FROM 'active'
                                 THEN coalesce(a.arrears_since, %(today)s) END
        FROM decided d
        WHERE a.line_id = d.line_id AND a.line_id >= %(lo)s AND a.line_id < %(hi)s
          AND (d.new_state IS NOT NULL OR (d.usable < 0) = (a.arrears_since IS NULL))
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
        INSERT INTO customers_blacklistentry (id_type, id_number, customer_id, reason, amount_owed, created_at,
                                              updated_at)
        SELECT c.id_type, c.id_number, c.id, 'closed with arrears (' || %(policy)s || ')', -d.balance, %(now)s,
               %(now)s
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
    )
    INSERT INTO arrears_barringevent (line_id, from_state, to_state, rule, usable_credit, policy_version, at, run_id)
    SELECT line_id, state, new_state, rule, usable, %(policy)s, %(now)s, %(run_id)s
    FROM decided WHERE new_state IS NOT NULL
    """


def evaluate_chunk(lo: int, hi: int, today: date, run_id: int | None = None) -> int:
    """Evaluate lines with id in [lo, hi) on `today`; returns how many changed state."""
    policy = services.policy_in_force()
    params = {"lo": lo, "hi": hi, "today": today, "now": timezone.now(), "run_id": run_id, "policy": policy.label,
              "reminder_ratio": policy.reminder_ratio, "reminder_minimum": policy.reminder_minimum,
              "two_way_days": policy.two_way_after_days, "late_fee_rate": policy.late_fee_rate,
              "waived_stars": list(policy.late_fee_waived_stars),
              "retention_notice_days": policy.retention_notice_days}
    with connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # a large generated statement: compiling costs more than it saves
        if _missing_accounts(cur, params):
            cur.execute(ENSURE_ACCOUNTS, params)
        cur.execute(late_fees_sql(bool(policy.late_fee_waived_stars)), params)
        cur.execute(evaluate_sql(), params)
        changed = cur.rowcount
        if changed:  # the customers of the lines whose status changed take their worst line's status
            cur.execute(customer_status.REFRESH_SQL.format(customers=customer_status.CHANGED_IN_RUN), params)
            send_customers_closed(cur, params)  # credit ends, the retention queue drops them (as for billing's)
        cur.execute(EMERGENCY_EXPIRED, params)
        return changed


def _missing_accounts(cur, params) -> bool:
    """Two index-only counts (~10 ms) spare the anti-join over the chunk on every night but the first."""
    cur.execute("SELECT (SELECT count(*) FROM customers_line WHERE id >= %(lo)s AND id < %(hi)s) "
                "- (SELECT count(*) FROM arrears_lineaccount WHERE line_id >= %(lo)s AND line_id < %(hi)s)", params)
    return cur.fetchone()[0] > 0


@register_batch(EVALUATE_KIND, table="customers_line", chunk_size=EVALUATE_CHUNK)
def evaluate(lo: int, hi: int, run) -> int:
    return evaluate_chunk(lo, hi, date.fromisoformat(run.period), run.pk)


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
