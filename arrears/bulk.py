"""Set-based bulk postings of bills and payments (the bulk API, the province replay).

The whole batch is validated in Python with the single-item rules (a duplicate reference or bill month, a
balance the column cannot hold), then written with a few statements: INSERT … SELECT FROM unnest(...) for the
payments/bills, SP charges and ledger entries, one balance UPDATE for all lines, one set-based allocation of
payments to the oldest unpaid bills. Items are idempotent by their natural key (payment reference, a line's
billed month): a replayed item is refused as a duplicate and nothing is written for it. The barring state each
item answers is the nightly state machine over the batch's lines in one statement (arrears.realtime, the same
rules as the single posting's `account_decide`); a payment's blacklist settlement only where an entry is open.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from core import clock
from arrears import realtime, services
from arrears.choices import BarringState
from arrears.choices import LedgerKind
from arrears.models import LedgerEntry
from arrears.value import COST_FIELDS
from arrears.sql.intake import (ALLOCATE_BULK, BILLS_SEEN, BILLS_WITH_LEDGER, BLACKLISTED, ENSURE_ACCOUNTS_FOR,
                                INSERT_BILL_COSTS, INSERT_SP_CHARGES, LOCK_ACCOUNTS, PAYMENTS_SEEN,
                                PAYMENTS_WITH_LEDGER)
from credit.blacklist import blacklist_payments_apply
from customers.bulk_types import BulkOutcome, array_cursor

@dataclass
class _Position:
    line_id: int
    customer_id: int
    balance: Decimal
    limit: Decimal
    state: str
    arrears_since: date | None


def _positions(line_ids: set[int], today: date) -> dict[int, _Position]:
    """Lock the lines' accounts in id order (two concurrent batches then never deadlock); the missing ones are
    opened (with billing's earlier balance, as the single posting does) and locked after them."""
    ids = sorted(line_ids)
    with array_cursor() as cur:
        cur.execute(LOCK_ACCOUNTS, [ids])
        found = {row[0]: _Position(*row) for row in cur.fetchall()}
        if len(found) < len(ids):  # lines without an account yet (most batches have none: no anti-join then)
            missing = [i for i in ids if i not in found]
            cur.execute(ENSURE_ACCOUNTS_FOR, {"ids": missing, "today": today, "now": clock.now()})
            cur.execute(LOCK_ACCOUNTS, [missing])
            found |= {row[0]: _Position(*row) for row in cur.fetchall()}
        return found


def _over_limit(balance: Decimal) -> bool:
    return abs(balance) > services.BALANCE_LIMIT


OUT_OF_RANGE = services.BALANCE_OUT_OF_RANGE.format(limit=services.BALANCE_LIMIT)
ROW_MEANWHILE = "A {what} of this batch was received meanwhile: nothing was written."
LEDGER_MEANWHILE = "A ledger reference of this batch was posted meanwhile: nothing written."
UNIQUE_VIOLATION = "23505"  # SQLSTATE unique_violation


def _with_ledger(cur, statement: str, params: dict, what: str) -> None:
    """A batch's rows and their ledger entries in one statement (arrears.sql.intake.with_ledger_sql). A row or a
    ledger reference posted by a concurrent request since the batch's check fails the statement on its unique key:
    DuplicatePosting, nothing written (the exception leaves the service's atomic block, which rolls back to its
    savepoint: the failed statement leaves the caller's transaction usable)."""
    try:
        cur.execute(statement, params)
    except IntegrityError as exc:
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
        if cause.diag.table_name == LedgerEntry._meta.db_table:
            raise services.DuplicatePosting(LEDGER_MEANWHILE) from exc
        raise services.DuplicatePosting(ROW_MEANWHILE.format(what=what)) from exc
    written, ledger = cur.fetchone()
    assert written == ledger == len(params["line_id"]), "with_ledger_sql wrote a row or an entry short"


# ---------------------------------------------------------------- payments

@transaction.atomic
def payments_record_bulk(*, items: list[dict], by=None, partial: bool = False) -> BulkOutcome:
    """items: {"line": Line, "amount", "paid_at", "channel", "reference"} in the order billing sent them.
    Not `partial`: any refused item writes nothing (the outcome carries only the errors)."""
    out = BulkOutcome()
    if not items:
        return out
    refs = [item["reference"] for item in items]
    with array_cursor() as cur:
        cur.execute(PAYMENTS_SEEN, [refs])
        seen = {row[0] for row in cur.fetchall()}
    positions = _positions({item["line"].pk for item in items}, clock.today())
    accepted, settled, touched = [], set(), set()
    for pos, item in enumerate(items):
        reference = item["reference"]
        if reference in seen:
            out.errors[pos] = {"reference": [services.DUPLICATE.format(what=f"payment {reference!r}")]}
            continue
        p = positions[item["line"].pk]
        if _over_limit(p.balance + item["amount"]):
            out.errors[pos] = {"amount": [OUT_OF_RANGE]}
            continue
        seen.add(reference)
        p.balance += item["amount"]
        touched.add(p.line_id)
        usable = p.balance + p.limit
        if usable >= 0:
            settled.add(p.line_id)
        accepted.append(pos)
        out.results[pos] = (item["line"], p.balance, usable)  # the answer is made by _decide
    if out.refused_whole(partial=partial) or not accepted:
        return out
    rows = [items[pos] for pos in accepted]
    with array_cursor() as cur:
        _with_ledger(cur, PAYMENTS_WITH_LEDGER, {
            "line_id": [r["line"].pk for r in rows], "customer_id": [r["line"].customer_id for r in rows],
            "amount": [r["amount"] for r in rows], "paid_at": [r["paid_at"] for r in rows],
            "channel": [r["channel"] for r in rows], "reference": [r["reference"] for r in rows],
            "kind": LedgerKind.PAYMENT, "by": by.pk if by else None}, "payment")
    _allocate(rows)
    _settle_blacklist(rows, by)
    # one write of each account: the new balance, the arrears age (cleared where settled, else from the oldest bill
    # the allocation left unpaid: a payment may settle it) and the decision
    _decide(out, touched, by, balances={i: positions[i].balance for i in touched}, settled=settled, aged=True)
    return out


def _settle_blacklist(rows: list[dict], by) -> None:
    """Payments on lines of a blacklisted person reduce (and settle) the entry, as a single payment does. One
    query with two arrays finds the few such customers (an ORM IN list of 10,000 ids costs more to build)."""
    with array_cursor() as cur:
        cur.execute(BLACKLISTED, [sorted({r["line"].pk for r in rows}), sorted({r["line"].customer_id for r in rows})])
        listed = {row[0] for row in cur.fetchall()}
    for r in rows:
        if r["line"].customer_id in listed:
            blacklist_payments_apply(line=r["line"], amount=r["amount"], reference=r["reference"], by=by)


def _decide(out: BulkOutcome, touched: set[int], by, balances: dict[int, Decimal] | None = None,
            settled: set[int] = frozenset(), aged: bool = False) -> None:
    """The barring state the policy gives now, answered (and applied when immediate) for every line of the batch
    at once: arrears.realtime, the nightly state machine restricted to these lines (`balances`: the lines' new
    balances, written in the same statement with their arrears age: realtime.lines_decide's `settled`, `aged`).
    `out.results` holds (line, balance, usable credit) of each accepted item, its balance after it: each becomes
    its PostingResult here."""
    decisions = realtime.lines_decide(line_ids=touched, by=by, balances=balances, settled=settled, aged=aged)
    for pos, (line, balance, usable) in out.results.items():
        position = decisions.get(line.pk)
        if position is None:  # a closed line: billing's closure (or the arrears one) is final
            out.results[pos] = services.PostingResult(line, balance, usable, BarringState.CLOSED)
            continue
        decision, limit = position.decision, position.usable - position.balance  # the limit ± shared credit
        out.results[pos] = services.PostingResult(line, balance, balance + limit, decision.state,
                                                  decision.restored, decision.rule, decision.applied, limit)


def usage_decide_bulk(*, line_ids: set[int], by=None) -> dict[int, services.PostingResult]:
    """After a bulk of usage: each line's position and the barring state the policy gives now (usage_decide
    for every line at once; missing accounts opened from billing's figures). Usage changes nothing the decision
    reads, so the answer is read without locking (realtime.lines_judge); only the lines with something to write
    (a rule applied at once, the arrears clock), closed or without an account are locked and decided as before."""
    if not line_ids:
        return {}
    policy = services.barring_policy_current()
    judged, writes = realtime.lines_judge(line_ids=line_ids, policy=policy)
    rest = {i for i in line_ids if i not in judged}  # to write, closed, or no account yet
    positions = _positions(rest, clock.today()) if rest else {}
    decisions = realtime.lines_decide(line_ids=rest, by=by, policy=policy) if rest else {}
    out = {}
    for line_id, found in judged.items():
        d = found.decision
        out[line_id] = services.PostingResult(None, found.balance, found.usable, d.state, d.restored, d.rule,
                                              d.applied, found.usable - found.balance)
    for line_id, p in positions.items():
        found = decisions.get(line_id)
        if found is None:
            out[line_id] = services.PostingResult(None, p.balance, p.balance + p.limit, BarringState.CLOSED,
                                                  credit_limit=p.limit)
        else:
            d = found.decision
            out[line_id] = services.PostingResult(None, found.balance, found.usable, d.state, d.restored, d.rule,
                                                  d.applied, found.usable - found.balance)
    return out


def _allocate(rows: list[dict]) -> None:
    """Each line's payments pay its oldest unpaid bills first (the single path's rule, for all lines at once)."""
    paid: dict[int, Decimal] = {}
    for r in rows:
        paid[r["line"].pk] = paid.get(r["line"].pk, Decimal(0)) + r["amount"]
    ids = sorted(paid)
    with array_cursor() as cur:
        cur.execute(ALLOCATE_BULK, [ids, [paid[i] for i in ids]])


# ---------------------------------------------------------------- bills

@transaction.atomic
def bills_record_bulk(*, items: list[dict], by=None, partial: bool = False) -> BulkOutcome:
    """items: {"line": Line, "period" (1st of month), "amount", "due_date", "sp_charges": {sp_id: amount},
    "costs": {interconnect|handset_subsidy|discount|commission: amount}}."""
    out = BulkOutcome()
    if not items:
        return out
    keys = [(item["line"].pk, item["period"]) for item in items]
    with array_cursor() as cur:
        cur.execute(BILLS_SEEN, [[k[0] for k in keys], [k[1] for k in keys]])
        seen = set(cur.fetchall())
    positions = _positions({k[0] for k in keys}, clock.today())
    accepted, touched = [], set()
    for pos, item in enumerate(items):
        line, period = item["line"], item["period"]
        if (line.pk, period) in seen:
            out.errors[pos] = {"period": [services.DUPLICATE.format(what=f"bill {period:%Y-%m} of {line.msisdn}")]}
            continue
        p = positions[line.pk]
        if _over_limit(p.balance - item["amount"]):
            out.errors[pos] = {"amount": [OUT_OF_RANGE]}
            continue
        seen.add((line.pk, period))
        p.balance -= item["amount"]
        touched.add(line.pk)
        accepted.append(pos)
        out.results[pos] = (line, p.balance, p.balance + p.limit)  # the answer is made by _decide
    if out.refused_whole(partial=partial) or not accepted:
        return out
    rows = [items[pos] for pos in accepted]
    with array_cursor() as cur:
        _with_ledger(cur, BILLS_WITH_LEDGER, {
            "line_id": [r["line"].pk for r in rows], "customer_id": [r["line"].customer_id for r in rows],
            "period": [r["period"] for r in rows], "amount": [r["amount"] for r in rows],
            "due_date": [r["due_date"] for r in rows], "kind": LedgerKind.CHARGE, "now": clock.now(),
            "by": by.pk if by else None}, "bill")
        charges = [(r["line"].pk, r["period"], sp, amount) for r in rows
                   for sp, amount in (r.get("sp_charges") or {}).items()]
        if charges:
            cur.execute(INSERT_SP_CHARGES, [list(col) for col in zip(*charges, strict=True)])
        costed = [(r["line"].pk, r["period"], *(r["costs"].get(f, 0) for f in COST_FIELDS))
                  for r in rows if r.get("costs")]
        if costed:
            cur.execute(INSERT_BILL_COSTS, [list(col) for col in zip(*costed, strict=True)])
    _decide(out, touched, by, balances={i: positions[i].balance for i in touched})  # writes the balances too
    return out

