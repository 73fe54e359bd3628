"""Bulk intake of what billing pushes besides money: usage summaries and line status changes, set-based (the
single path's rules applied to the whole batch in Python, then INSERT/UPDATE … FROM unnest). The rules have one
home: customers.policies (reopen window, number retention) and customers.intake (messages, results)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from customers import intake, policies, sql
from customers.bulk_types import BulkOutcome, array_cursor
from customers.choices import ServiceStatus
from customers.models import Line
from customers.signals import customers_closed, customers_reopened
from customers.status import customer_status_refresh


@transaction.atomic
def usage_summaries_record_bulk(*, items: list[dict], today: date, partial: bool = False) -> BulkOutcome:
    """items: {"line": Line, "month": date, **intake.USAGE_FIELDS}; a month again replaces its figures
    (billing's correction), the last of a batch's repeats wins."""
    out = BulkOutcome()
    if not items:
        return out
    months = [item["month"].replace(day=1) for item in items]  # each item's month, worked out once
    for pos, month in enumerate(months):
        if month > today:
            out.errors[pos] = {"month": [str(intake.ERR_FUTURE_MONTH % {"month": f"{month:%Y-%m}"})]}
    if out.errors and not partial:
        transaction.set_rollback(True)
        return out
    good = [pos for pos in range(len(items)) if pos not in out.errors] if out.errors else range(len(items))
    if not good:
        return out
    keys = [(items[pos]["line"].pk, months[pos]) for pos in good]
    first, last = {}, {}
    for pos, key in zip(good, keys, strict=True):
        first.setdefault(key, pos)
        last[key] = pos
    kept = sorted(last.values())
    rows = [items[pos] for pos in kept]
    columns = {"line_id": ([r["line"].pk for r in rows], "bigint"),
               "customer_id": ([r["line"].customer_id for r in rows], "bigint"),
               "month": ([months[pos] for pos in kept], "date")}
    types = {"voice_minutes": "bigint", "data_mb": "bigint", "sms_count": "bigint",
             "competitor_hotline_calls": "bigint", "plan_saturation": "numeric", "broadband_bundled": "bool",
             "bill_amount": "numeric", "prepaid_balance": "numeric"}
    columns.update({f: ([r[f] for r in rows], types[f]) for f in intake.USAGE_FIELDS})
    names = list(columns)
    with array_cursor() as cur:
        cur.execute(sql.usage_upsert_sql({n: columns[n][1] for n in names}, figures=list(intake.USAGE_FIELDS)),
                    [columns[n][0] for n in names])
        seen = set(cur.fetchall())  # the months that were there already (the upsert replaced their figures)
    # a month is created by its first item of the batch unless it was there; a repeat in the batch replaces it
    for pos, key in zip(good, keys, strict=True):
        out.results[pos] = intake.UsageResult(items[pos]["line"], key[1], first[key] == pos and key not in seen)
    return out


@transaction.atomic
def line_statuses_report_bulk(*, items: list[dict], by=None, partial: bool = False) -> BulkOutcome:
    """items: {"line": Line, "status", "changed_at", "reason"} in billing's order: the rules of
    intake.line_status_report (the same status changes nothing; a closure closes on billing's date and keeps the
    number for the star's retention period; a reactivation only within it) for the whole batch, set-based. A line's
    items apply in order: round k takes every line's k-th item (one round for most batches). The customers whose
    last open line closed (or whose first line reopened) get one customers_closed/_reopened signal per round."""
    out = BulkOutcome()
    rounds: list[list[int]] = []
    seen: dict[int, int] = {}
    for pos, item in enumerate(items):
        k = seen.get(item["line"].pk, 0)
        seen[item["line"].pk] = k + 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(pos)
    for positions in rounds:
        _status_round(items, positions, by, out)
    out.refused_whole(partial=partial)
    return out


def _status_round(items: list[dict], positions: list[int], by, out: BulkOutcome) -> None:
    closes = any(items[pos]["status"] == ServiceStatus.CLOSED for pos in positions)
    with array_cursor() as cur:
        cur.execute(sql.LOCK_LINES_SQL if closes else sql.LOCK_LINES_NO_STAR_SQL,
                    [sorted({items[pos]["line"].pk for pos in positions})])
        lines = {row[0]: row[1:] for row in cur.fetchall()}
        # the open lines per customer matter only to a closure or a reactivation (its customers_closed/_reopened
        # signal): a round of barring changes alone counts nothing
        closing = closes or any(row[1] == ServiceStatus.CLOSED for row in lines.values())
        open_before = {}
        if closing:
            cur.execute(sql.OPEN_LINES_SQL, [sorted({customer for customer, *_ in lines.values()})])
            open_before = dict(cur.fetchall())
    changes, zone = [], timezone.get_current_timezone()  # the zone read once (timezone.localdate reads it per call)
    for pos in positions:
        item = items[pos]
        customer, current, reopen_until, star = lines[item["line"].pk]
        status, on = item["status"], timezone.localtime(item["changed_at"], zone).date()
        if current == status:
            out.results[pos] = intake.StatusResult(item["line"], status, False)
            continue
        if current == ServiceStatus.CLOSED and (
                refusal := policies.reopen_refusal(reopen_until=reopen_until, on=on)):
            out.errors[pos] = {"status": [refusal.messages[0]]}
            continue
        until = on + timedelta(days=policies.number_retention_days(star)) if status == ServiceStatus.CLOSED else None
        changes.append((item["line"].pk, current, status, item["changed_at"], item["reason"], on, until))
        out.results[pos] = intake.StatusResult(item["line"], status, True)
    if not changes:
        return
    ids, froms, tos, moments, reasons, days, untils = (list(col) for col in zip(*changes, strict=True))
    touched = sorted({lines[i][0] for i in ids})
    with array_cursor() as cur:
        cur.execute(sql.APPLY_CHANGES_SQL, {"ids": ids, "from": froms, "to": tos, "at": moments, "reason": reasons,
                                            "on": days, "until": untils, "by": by.pk if by else None})
        customer_status_refresh(customer_ids=touched)
        if not closing:
            return
        cur.execute(sql.OPEN_LINES_SQL, [touched])
        open_after = dict(cur.fetchall())
    _signal(changes, lines, open_before, open_after, by)


def _signal(changes, lines, open_before, open_after, by) -> None:
    """customers_closed for customers this round left with no open line, customers_reopened for those it gave
    one back; one signal per (day, reason) with its set of customers (the single path's message)."""
    closed, reopened = {}, {}
    for line_id, _from, status, _at, reason, on, _until in changes:
        customer = lines[line_id][0]
        if open_before.get(customer) and not open_after.get(customer) and status == ServiceStatus.CLOSED:
            closed.setdefault((on, f"all lines closed (billing): {reason}"), set()).add(customer)
        elif not open_before.get(customer) and open_after.get(customer) and _from == ServiceStatus.CLOSED:
            reopened.setdefault((on, f"line reactivated (billing): {reason}"), set()).add(customer)
    for (on, reason), ids in closed.items():
        customers_closed.send(sender=Line, customer_ids=sorted(ids), on=on, reason=reason, by=by)
    for (on, reason), ids in reopened.items():
        customers_reopened.send(sender=Line, customer_ids=sorted(ids), on=on, reason=reason, by=by)
