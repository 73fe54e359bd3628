"""Bulk intake of what billing pushes besides money: usage summaries (set-based: the single rules applied to the
whole batch in Python, then INSERT … SELECT FROM unnest) and line status changes (each through the single
service: billing's closure and reactivation rules have one home)."""

from datetime import date

from django.db import connection, transaction

from customers import intake
from customers.bulk_types import BulkOutcome


@transaction.atomic
def usage_summaries_record_bulk(*, items: list[dict], today: date, partial: bool = False) -> BulkOutcome:
    """items: {"line": Line, "month": date, **intake.USAGE_FIELDS}; a month again replaces its figures
    (billing's correction), the last of a batch's repeats wins."""
    out = BulkOutcome()
    if not items:
        return out
    for pos, item in enumerate(items):
        month = item["month"].replace(day=1)
        if month > today:
            out.errors[pos] = {"month": [str(intake.ERR_FUTURE_MONTH % {"month": f"{month:%Y-%m}"})]}
    if out.errors and not partial:
        transaction.set_rollback(True)
        return out
    good = [pos for pos in range(len(items)) if pos not in out.errors]
    if not good:
        return out
    keys = [(items[pos]["line"].pk, items[pos]["month"].replace(day=1)) for pos in good]
    with connection.cursor() as cur:
        cur.execute("""SELECT u.line_id, u.month FROM customers_usagesummary u
                       JOIN unnest(%s::bigint[], %s::date[]) AS k(line_id, month)
                         ON u.line_id = k.line_id AND u.month = k.month""",
                    [[k[0] for k in keys], [k[1] for k in keys]])
        seen = set(cur.fetchall())
    last = {}
    for pos, key in zip(good, keys, strict=True):
        out.results[pos] = intake.UsageResult(items[pos]["line"], key[1], key not in seen)
        seen.add(key)
        last[key] = pos
    rows = [items[pos] for pos in sorted(last.values())]
    columns = {"line_id": ([r["line"].pk for r in rows], "bigint"),
               "customer_id": ([r["line"].customer_id for r in rows], "bigint"),
               "month": ([r["month"].replace(day=1) for r in rows], "date")}
    types = {"voice_minutes": "bigint", "data_mb": "bigint", "sms_count": "bigint",
             "competitor_hotline_calls": "bigint", "plan_saturation": "numeric", "broadband_bundled": "bool",
             "bill_amount": "numeric", "prepaid_balance": "numeric"}
    columns.update({f: ([r[f] for r in rows], types[f]) for f in intake.USAGE_FIELDS})
    names = list(columns)
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO customers_usagesummary ({", ".join(names)})
            SELECT * FROM unnest({", ".join(f"%s::{columns[n][1]}[]" for n in names)})
            ON CONFLICT (line_id, month) DO UPDATE SET {", ".join(f"{f} = EXCLUDED.{f}" for f in intake.USAGE_FIELDS)}
            """, [columns[n][0] for n in names])
    return out


@transaction.atomic
def line_statuses_report_bulk(*, items: list[dict], by=None, partial: bool = False) -> BulkOutcome:
    """items: {"line": Line, "status", "changed_at", "reason"} in billing's order, each through the single
    service (billing's closure and reactivation rules, the customers_closed/reopened signals, the status log):
    status changes are few beside usage and money, so the rules keep one home rather than a set-based twin."""
    out = BulkOutcome()
    for pos, item in enumerate(items):
        try:
            with transaction.atomic():  # a refused item leaves nothing behind (partial keeps the others)
                out.results[pos] = intake.line_status_report(line=item["line"], status=item["status"],
                                                             changed_at=item["changed_at"], reason=item["reason"],
                                                             by=by)
        except intake.IntakeRefused as exc:
            out.errors[pos] = {exc.field: [str(exc)]}
    if out.errors and not partial:
        out.results = {}
        transaction.set_rollback(True)
    return out
