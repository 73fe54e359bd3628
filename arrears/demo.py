"""Demo SP charges, the parts of billing's bills that service providers charged: ordinary providers on about
30 % of the bills, and one provider living off the captive lines of one region's agents' customers that stop
paying, so the settlement page has a case to find. Set-based, into the replay inbox beside the bills (billing
sends them with the bill); the replay posts them with their bills through the bulk bill intake."""

from django.db import connection

from arrears.models import ServiceProvider
from arrears.sql.demo import (ROGUE_SP_CHARGES, SP_CHARGES, inbox_analyze_sql, inbox_rogue_sp_charges_sql,
                               inbox_sp_charges_sql, inbox_table_sql)

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
        cur.execute(SP_CHARGES, {"ids": ids, "hash": HASH})
        written = cur.rowcount
        cur.execute(ROGUE_SP_CHARGES, {"rogue": rogue})
        return written + cur.rowcount


def inbox_sp_charges(schema: str) -> int:
    """SP charges for the inbox's bills (keyed by line and period, as the bill intake takes them)."""
    ids = [ServiceProvider.objects.get_or_create(code=code, defaults={"name": name})[0].pk
           for code, name in ORDINARY]
    rogue = ServiceProvider.objects.get_or_create(code=ROGUE[0], defaults={"name": ROGUE[1]})[0].pk
    with connection.cursor() as cur:
        for statement in inbox_table_sql(schema):
            cur.execute(statement)
        cur.execute(inbox_sp_charges_sql(schema), {"ids": ids, "hash": HASH})
        written = cur.rowcount
        cur.execute(inbox_rogue_sp_charges_sql(schema), {"rogue": rogue})
        written += cur.rowcount
        cur.execute(inbox_analyze_sql(schema))
        return written
