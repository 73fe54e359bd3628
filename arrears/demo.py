"""Demo SP charges, the parts of billing's bills that service providers charged: ordinary providers on about
30 % of the bills, and one provider living off the captive lines of one region's agents' customers that stop
paying, so the settlement page has a case to find. Set-based, into the replay inbox beside the bills (billing
sends them with the bill); the replay posts them with their bills through the bulk bill intake."""

from django.db import connection

from arrears.models import ServiceProvider

ORDINARY = [("kuyue", "酷悦音乐"), ("youxi", "掌上游戏"), ("yuedu", "悦读书城"), ("shijie", "视界视频"),
            ("tianqi", "天气通"), ("caixun", "彩讯资讯"), ("jiankang", "健康管家"), ("dongman", "动漫基地")]
ROGUE = ("kuaile", "快乐互动")
HASH = 2654435761  # Knuth's multiplicative hash: a stable pseudo-random pick per bill id


def generate_sp_charges() -> int:
    """Charges for the bills already loaded; returns how many were written."""
    ids = [ServiceProvider.objects.get_or_create(code=code, defaults={"name": name})[0].pk
           for code, name in ORDINARY]
    rogue = ServiceProvider.objects.get_or_create(code=ROGUE[0], defaults={"name": ROGUE[1]})[0].pk
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO arrears_spcharge (bill_id, sp_id, period, amount)
            SELECT b.id, (%(ids)s::bigint[])[1 + (b.id * %(hash)s) %% array_length(%(ids)s::bigint[], 1)],
                   b.period, round(b.amount * (5 + (b.id * %(hash)s / 100) %% 20) / 100, 2)
            FROM arrears_bill b
            WHERE (b.id * %(hash)s) %% 100 < 30 AND b.amount >= 1
            ON CONFLICT DO NOTHING""", {"ids": ids, "hash": HASH})
        written = cur.rowcount
        cur.execute("""
            WITH region AS (
                SELECT region_id AS id FROM customers_customer GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
            )
            INSERT INTO arrears_spcharge (bill_id, sp_id, period, amount)
            SELECT b.id, %(rogue)s, b.period, round(b.amount * 0.85, 2)
            FROM arrears_bill b JOIN customers_customer c ON c.id = b.customer_id
            JOIN customers_channel ch ON ch.id = c.acquiring_channel_id AND ch.kind = 'agent'
            WHERE ch.region_id = (SELECT id FROM region) AND b.paid_amount < b.amount AND b.amount >= 1
            ON CONFLICT DO NOTHING""", {"rogue": rogue})
        return written + cur.rowcount


def inbox_sp_charges(schema: str) -> int:
    """SP charges for the inbox's bills (keyed by line and period, as the bill intake takes them)."""
    ids = [ServiceProvider.objects.get_or_create(code=code, defaults={"name": name})[0].pk
           for code, name in ORDINARY]
    rogue = ServiceProvider.objects.get_or_create(code=ROGUE[0], defaults={"name": ROGUE[1]})[0].pk
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {schema}.arrears_spcharge")
        cur.execute(f"CREATE TABLE {schema}.arrears_spcharge (line_id bigint, period date, sp_id bigint, "
                    "amount numeric(12, 2))")
        cur.execute(f"CREATE INDEX ON {schema}.arrears_spcharge (line_id, period)")  # the NOT EXISTS below
        cur.execute(f"""
            INSERT INTO {schema}.arrears_spcharge (line_id, period, sp_id, amount)
            SELECT b.line_id, b.period,
                   (%(ids)s::bigint[])[1 + (b.id * %(hash)s) %% array_length(%(ids)s::bigint[], 1)],
                   round(b.amount * (5 + (b.id * %(hash)s / 100) %% 20) / 100, 2)
            FROM {schema}.arrears_bill b
            WHERE (b.id * %(hash)s) %% 100 < 30 AND b.amount >= 1""", {"ids": ids, "hash": HASH})
        written = cur.rowcount
        cur.execute(f"""
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
                              AND s.period = b.period)""", {"rogue": rogue})
        written += cur.rowcount
        cur.execute(f"ANALYZE {schema}.arrears_spcharge")
        return written
