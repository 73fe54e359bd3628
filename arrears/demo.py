"""Demo SP charges: ordinary service providers on about 30 % of the bills, and one SP living off the unpaid,
captive lines of one region's agents' customers, so the settlement page has a case to find. Set-based."""

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
