"""Billing intake's statements: the single postings (arrears.services) and the set-based bulk of payments and
bills (arrears.bulk: INSERT … SELECT FROM unnest(...), one array parameter per column)."""

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from arrears.sql import ENSURE_ACCOUNTS
from arrears.value import COST_FIELDS
from core.sql import table
from customers.bulk_types import array_literal
from customers.models import Line
from customers.sql import PROBE


def msisdn_in(numbers) -> RawSQL:
    """`msisdn = ANY(<one array>)`: a bulk's 10,000 numbers as one parameter (an IN list of 10,000 placeholders
    costs more to send and plan than the lookup itself)."""
    return RawSQL(f"{table(Line)}.msisdn = ANY(%s::text[])", (array_literal(sorted(set(numbers))),),
                  output_field=BooleanField())  # the array's text made at once (psycopg quotes a list per element)


def insert_once_sql(model, columns) -> str:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id of one row of `model` with these columns (positional)."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    return (f"INSERT INTO {table(model)} ({names}) VALUES ({', '.join(['%s'] * len(columns))}) "
            "ON CONFLICT DO NOTHING RETURNING id")


# Pay the oldest unpaid bills of one line first, in one statement.
ALLOCATE_TO_BILLS = """
WITH unpaid AS (
    SELECT id, amount - paid_amount AS owed,
           sum(amount - paid_amount) OVER (ORDER BY due_date, id) - (amount - paid_amount) AS before
    FROM arrears_bill WHERE line_id = %(line)s AND paid_amount < amount
)
UPDATE arrears_bill b SET paid_amount = b.paid_amount + least(u.owed, %(amount)s - u.before)
FROM unpaid u WHERE b.id = u.id AND u.before < %(amount)s"""

# ---------------------------------------------------------------- bulk

# ENSURE_ACCOUNTS for a list of line ids instead of an id range.
ENSURE_ACCOUNTS_FOR = ENSURE_ACCOUNTS.replace("l.id >= %(lo)s AND l.id < %(hi)s", "l.id = ANY(%(ids)s::bigint[])")
assert ENSURE_ACCOUNTS_FOR != ENSURE_ACCOUNTS, "the id-range condition of ENSURE_ACCOUNTS moved"

# The lines' accounts locked in id order (two concurrent batches then never deadlock).
LOCK_ACCOUNTS = """
    SELECT a.line_id, a.customer_id, a.balance, c.credit_limit, a.state, a.arrears_since
    FROM arrears_lineaccount a JOIN customers_customer c ON c.id = a.customer_id
    WHERE a.line_id = ANY(%s::bigint[]) ORDER BY a.line_id FOR UPDATE OF a"""

def with_ledger_sql(rows_sql: str, ledger_sql: str) -> str:
    """One statement for a batch's rows and their ledger entries: `rows_sql` inserts the batch's rows (CTE `written`,
    RETURNING 1) from `v` (the unnest of its columns) and `ledger_sql` selects one ledger entry from each row of `v`
    (line, kind, amount, time, reference): the ledger columns derived in SQL, not sent as arrays again. Answers the
    count of rows written and of ledger entries written (the rows first: their count is taken, so they are written,
    before the ledger's). Plain INSERTs: a row or reference posted meanwhile (the batch checked its keys before) fails
    the statement on its unique key (arrears.bulk._with_ledger: DuplicatePosting), where ON CONFLICT DO NOTHING's
    probe of the arbiter index before each row cost a quarter of the statement for a case only a concurrent
    request makes."""
    return f"""
        WITH {rows_sql},
        ledger AS (
            INSERT INTO arrears_ledgerentry (line_id, kind, amount, posted_at, reference, note, posted_by_id)
            SELECT e.*, '', %(by)s FROM ({ledger_sql}) e
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM ledger)"""

# The references of a batch already received: one probe of the unique index per reference (`reference = ANY(...)`
# was planned as a scan of every payment ever received with a hashed filter: twice the time at 200,000 payments, and
# growing with the table).
PAYMENTS_SEEN = """SELECT k.reference FROM unnest(%s::text[]) AS k(reference)
                   CROSS JOIN LATERAL (SELECT FROM arrears_payment x WHERE x.reference = k.reference LIMIT 1) found"""

# A batch's payments and their ledger entries (with_ledger_sql).
PAYMENTS_WITH_LEDGER = with_ledger_sql("""
    v AS (SELECT * FROM unnest(%(line_id)s::bigint[], %(customer_id)s::bigint[], %(amount)s::numeric[],
                               %(paid_at)s::timestamptz[], %(channel)s::text[], %(reference)s::text[])
          AS v(line_id, customer_id, amount, paid_at, channel, reference)),
    written AS (
        INSERT INTO arrears_payment (line_id, customer_id, amount, paid_at, channel, reference)
        SELECT * FROM v RETURNING 1
    )""", "SELECT line_id, %(kind)s AS kind, amount, paid_at AS posted_at, 'payment-' || reference FROM v")

# The few customers of a batch with an open blacklist entry (by line or by customer: two arrays).
BLACKLISTED = """SELECT DISTINCT customer_id FROM customers_blacklistentry
               WHERE cleared_at IS NULL AND (line_id = ANY(%s::bigint[]) OR customer_id = ANY(%s::bigint[]))"""

# Each line's payments pay its oldest unpaid bills first (ALLOCATE_TO_BILLS for all lines at once). The bills to
# pay (`due`, a few hundred at most) are updated by their ids (`= ANY(ARRAY(...))`: an index scan of the primary key);
# joined by id alone, the planner (which takes `paid_amount < amount` for a third of all bills) hashed the bills it
# found and scanned every bill of the table a second time to update them.
ALLOCATE_BULK = """
    WITH pay AS (SELECT * FROM unnest(%s::bigint[], %s::numeric[]) AS p(line_id, amount)),
    unpaid AS (
        SELECT b.id, b.amount - b.paid_amount AS owed, p.amount AS paid,
               sum(b.amount - b.paid_amount) OVER (PARTITION BY b.line_id ORDER BY b.due_date, b.id)
                 - (b.amount - b.paid_amount) AS before
        FROM arrears_bill b JOIN pay p ON p.line_id = b.line_id
        WHERE b.paid_amount < b.amount AND p.amount > 0
    ),
    due AS MATERIALIZED (SELECT * FROM unpaid WHERE before < paid)
    UPDATE arrears_bill b SET paid_amount = b.paid_amount + least(u.owed, u.paid - u.before)
    FROM due u WHERE b.id = u.id AND b.id = ANY(ARRAY(SELECT id FROM due))"""

# The (line, month) pairs of a batch already billed: one index probe per key (customers.sql.PROBE).
BILLS_SEEN = f"""SELECT k.line_id, k.period FROM unnest(%s::bigint[], %s::date[]) AS k(line_id, period)
                 {PROBE.format(table="arrears_bill", column="period")}"""

# A batch's bills and their ledger entries (with_ledger_sql): each bill charged on the ledger at %(now)s.
BILLS_WITH_LEDGER = with_ledger_sql("""
    v AS (SELECT * FROM unnest(%(line_id)s::bigint[], %(customer_id)s::bigint[], %(period)s::date[],
                               %(amount)s::numeric[], %(due_date)s::date[])
          AS v(line_id, customer_id, period, amount, due_date)),
    written AS (
        INSERT INTO arrears_bill (line_id, customer_id, period, amount, due_date, paid_amount)
        SELECT line_id, customer_id, period, amount, due_date, 0 FROM v RETURNING 1
    )""", """SELECT line_id, %(kind)s AS kind, -amount AS amount, %(now)s::timestamptz AS posted_at,
                    'bill-' || line_id || '-' || to_char(period, 'YYYY-MM') FROM v""")

INSERT_SP_CHARGES = """
    INSERT INTO arrears_spcharge (bill_id, sp_id, period, amount)
    SELECT b.id, v.sp_id, v.period, v.amount
    FROM unnest(%s::bigint[], %s::date[], %s::bigint[], %s::numeric[]) AS v(line_id, period, sp_id, amount)
    JOIN arrears_bill b ON b.line_id = v.line_id AND b.period = v.period"""

INSERT_BILL_COSTS = f"""
    INSERT INTO arrears_billcost (bill_id, {", ".join(COST_FIELDS)})
    SELECT b.id, {", ".join("v." + f for f in COST_FIELDS)}
    FROM unnest(%s::bigint[], %s::date[], %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[])
         AS v(line_id, period, {", ".join(COST_FIELDS)})
    JOIN arrears_bill b ON b.line_id = v.line_id AND b.period = v.period"""
