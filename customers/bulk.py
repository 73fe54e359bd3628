"""Set-based bulk intake of what billing pushes besides money: usage summaries and line status changes.

Same rules as the single-item services in customers/intake.py (a month not yet begun is refused, a closed line
changes no more, the same status again changes nothing, the last line closed ends the customer's credit),
applied to the whole batch in Python, then written with a few statements (INSERT … SELECT FROM unnest).
"""

from datetime import date

from django.db import connection, transaction

from customers import intake
from customers.bulk_types import BulkOutcome
from customers.choices import ServiceStatus
from customers.status import refresh_customer_status


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
    """items: {"line": Line, "status", "changed_at", "reason"} in billing's order; each applies to the status the
    line has after the batch's earlier items (as if posted one by one)."""
    out = BulkOutcome()
    if not items:
        return out
    ids = sorted({item["line"].pk for item in items})
    with connection.cursor() as cur:
        cur.execute("SELECT id, status, customer_id FROM customers_line WHERE id = ANY(%s::bigint[]) "
                    "ORDER BY id FOR UPDATE", [ids])
        current = {row[0]: [row[1], row[2]] for row in cur.fetchall()}
    changes = []
    for pos, item in enumerate(items):
        line, status = item["line"], item["status"]
        now = current[line.pk][0]
        if now == status:
            out.results[pos] = intake.StatusResult(line, status, False)
            continue
        if now == ServiceStatus.CLOSED:
            out.errors[pos] = {"status": [str(intake.ERR_CLOSED)]}
            continue
        changes.append((line.pk, now, status, item["changed_at"], item["reason"]))
        current[line.pk][0] = status
        out.results[pos] = intake.StatusResult(line, status, True)
    if out.errors and not partial:
        out.results = {}
        transaction.set_rollback(True)
        return out
    if not changes:
        return out
    touched = sorted({c[0] for c in changes})
    customers = sorted({current[i][1] for i in touched})
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO customers_linestatuschange (line_id, from_status, to_status, changed_at, reason, source,
                                                    changed_by_id)
            SELECT line_id, from_status, to_status, changed_at, reason, 'billing', %s
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[], %s::text[])
                 AS v(line_id, from_status, to_status, changed_at, reason)""",
                    [by.pk if by else None, *[list(col) for col in zip(*changes, strict=True)]])
        cur.execute("""UPDATE customers_line l SET status = v.status, updated_at = now()
                       FROM unnest(%s::bigint[], %s::text[]) AS v(id, status) WHERE l.id = v.id""",
                    [touched, [current[i][0] for i in touched]])
        refresh_customer_status(customers)
        closing = sorted({current[c[0]][1] for c in changes if c[2] == ServiceStatus.CLOSED})
        cur.execute("""SELECT customer_id FROM customers_line WHERE customer_id = ANY(%s::bigint[])
                       GROUP BY customer_id HAVING bool_and(status = 'closed')""", [closing])
        ended = [row[0] for row in cur.fetchall()]
    if ended:
        _end_credit(ended, by)
    return out


def _end_credit(customer_ids: list[int], by) -> None:
    """Every line closed: credit ends, as on the single path (the rated few go through the one service)."""
    from credit.services import customer_credit_end  # credit reads customers; not the other way at import
    from customers.models import Customer

    rated = Customer.objects.filter(pk__in=customer_ids).exclude(credit_star__isnull=True, credit_limit=0)
    for customer in rated:
        customer_credit_end(customer=customer, reason="all lines closed (billing)", by=by)
