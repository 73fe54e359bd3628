"""The demo's statements (arrears.demo): SP charges for the bills loaded, or for the replay inbox's bills (the
inbox schema is the demo's, never a user's input)."""

# Ordinary providers on about 30 % of the bills (a stable pseudo-random pick per bill id: %(hash)s).
SP_CHARGES = """
            INSERT INTO arrears_spcharge (bill_id, sp_id, period, amount)
            SELECT b.id, (%(ids)s::bigint[])[1 + (b.id * %(hash)s) %% array_length(%(ids)s::bigint[], 1)],
                   b.period, round(b.amount * (5 + (b.id * %(hash)s / 100) %% 20) / 100, 2)
            FROM arrears_bill b
            WHERE (b.id * %(hash)s) %% 100 < 30 AND b.amount >= 1
            ON CONFLICT DO NOTHING"""

# One provider living off the captive lines of one region's agents' customers that stop paying.
ROGUE_SP_CHARGES = """
            WITH region AS (
                SELECT region_id AS id FROM customers_customer GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
            )
            INSERT INTO arrears_spcharge (bill_id, sp_id, period, amount)
            SELECT b.id, %(rogue)s, b.period, round(b.amount * 0.85, 2)
            FROM arrears_bill b JOIN customers_customer c ON c.id = b.customer_id
            JOIN customers_channel ch ON ch.id = c.acquiring_channel_id AND ch.kind = 'agent'
            WHERE ch.region_id = (SELECT id FROM region) AND b.paid_amount < b.amount AND b.amount >= 1
            ON CONFLICT DO NOTHING"""


def inbox_table_sql(schema: str) -> tuple[str, ...]:
    """The inbox's SP charges table, keyed by line and period (as the bill intake takes them), afresh."""
    return (f"DROP TABLE IF EXISTS {schema}.arrears_spcharge",
            f"CREATE TABLE {schema}.arrears_spcharge (line_id bigint, period date, sp_id bigint, "
            "amount numeric(12, 2))",
            f"CREATE INDEX ON {schema}.arrears_spcharge (line_id, period)")  # the NOT EXISTS of the rogue's


def inbox_sp_charges_sql(schema: str) -> str:
    """SP_CHARGES for the inbox's bills."""
    return f"""
            INSERT INTO {schema}.arrears_spcharge (line_id, period, sp_id, amount)
            SELECT b.line_id, b.period,
                   (%(ids)s::bigint[])[1 + (b.id * %(hash)s) %% array_length(%(ids)s::bigint[], 1)],
                   round(b.amount * (5 + (b.id * %(hash)s / 100) %% 20) / 100, 2)
            FROM {schema}.arrears_bill b
            WHERE (b.id * %(hash)s) %% 100 < 30 AND b.amount >= 1"""


def inbox_rogue_sp_charges_sql(schema: str) -> str:
    """ROGUE_SP_CHARGES for the inbox's bills: the lines whose bills billing will not see paid."""
    return f"""
            WITH region AS (
                SELECT region_id AS id FROM customers_customer GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
            ),
            billed AS (SELECT line_id, sum(amount) AS total FROM {schema}.arrears_bill GROUP BY 1),
            paid AS (SELECT line_id, sum(amount) AS total FROM {schema}.arrears_payment GROUP BY 1),
            unpaid AS (  -- lines whose bills billing will not see paid
                SELECT b.line_id FROM billed b LEFT JOIN paid p USING (line_id)
                WHERE b.total > coalesce(p.total, 0)
            )
            INSERT INTO {schema}.arrears_spcharge (line_id, period, sp_id, amount)
            SELECT b.line_id, b.period, %(rogue)s, round(b.amount * 0.85, 2)
            FROM {schema}.arrears_bill b JOIN unpaid u ON u.line_id = b.line_id
            JOIN customers_customer c ON c.id = b.customer_id
            JOIN customers_channel ch ON ch.id = c.acquiring_channel_id AND ch.kind = 'agent'
            WHERE ch.region_id = (SELECT id FROM region) AND b.amount >= 1
              AND NOT EXISTS (SELECT 1 FROM {schema}.arrears_spcharge s WHERE s.line_id = b.line_id
                              AND s.period = b.period)"""


def inbox_analyze_sql(schema: str) -> str:
    return f"ANALYZE {schema}.arrears_spcharge"
