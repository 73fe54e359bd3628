"""Writes of the arrears app: every posting to the ledger, every barring transition goes through here."""

from dataclasses import dataclass
from typing import NamedTuple
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from core import clock
from arrears import policies
from arrears.choices import BarringState, LedgerKind
from arrears.models import (
    BarringEvent,
    Bill,
    BillCost,
    CollectionCase,
    EmergencyPass,
    Exemption,
    LedgerEntry,
    LineAccount,
    Payment,
    SpCharge,
)
from arrears.selectors import barring_policy_current
from arrears.sql import ENSURE_ACCOUNTS, aging_refresh
from arrears.sql.intake import ALLOCATE_TO_BILLS, insert_once_sql
from credit import touchpoints
from credit.blacklist import blacklist_payments_apply
from credit.sharing import usable_credit_limit  # limit ± active shared credit (credit.sharing)
from core.templatetags.crm import money  # the one money format (¥1,234.50) pages show
from customers import events
from customers.choices import ServiceStatus
from customers.models import Line, LineStatusChange
from customers.status import customer_status_refresh

# Line.status shown to billing for each barring state.
LINE_STATUS = {BarringState.ACTIVE: "active", BarringState.REMINDED: "active",
               BarringState.ONE_WAY: "one_way_barred", BarringState.TWO_WAY: "two_way_barred",
               BarringState.RETENTION: "in_retention", BarringState.CLOSED: "closed"}

DUPLICATE_REFERENCE = "A posting with reference {reference!r} exists already: nothing was written."
BALANCE_LIMIT = Decimal("9999999999.99")  # what the balance column holds (12 digits, 2 decimals)
BALANCE_OUT_OF_RANGE = "This posting would take the line's balance beyond ±{limit} CNY: nothing was written."
DUPLICATE = "The {what} was received before: nothing was written."


def _money_payload(account: LineAccount, usable: Decimal) -> dict:
    """The figures an event carries, named as TMF666 names an account's (README: field names)."""
    return {"accountBalance": str(account.balance), "creditLimit": str(account.customer.credit_limit),
            "usableCredit": str(usable)}


class DuplicatePosting(Exception):
    pass


def _locked_account(line: Line, today: date) -> LineAccount:
    """The line's account, opened if needed (with the balance billing had pushed before), locked for update."""
    locked = LineAccount.objects.select_for_update().select_related("customer", "line")
    account = locked.filter(pk=line.pk).first()
    if account is None:  # first posting to this line: open the account from its billing history
        with connection.cursor() as cur:
            cur.execute(ENSURE_ACCOUNTS, {"lo": line.pk, "hi": line.pk + 1, "today": today, "now": clock.now()})
        account = locked.get(pk=line.pk)
    return account


def _post(account: LineAccount, *, kind: str, amount: Decimal, reference: str, by=None, note: str = "",
          at: datetime | None = None, settle_arrears: bool = False) -> LedgerEntry:
    """Append to the ledger and move the balance. `settle_arrears`: a payment that brings usable credit back to
    ≥ 0 also ends the arrears episode, in the same UPDATE. A balance the column cannot hold is refused (a
    ValidationError on "amount", before anything is written) rather than failing in the database."""
    if abs(account.balance + amount) > BALANCE_LIMIT:
        raise ValidationError({"amount": ValidationError(BALANCE_OUT_OF_RANGE.format(limit=BALANCE_LIMIT),
                                                         code="balance_out_of_range")})
    entry = _insert_once(LedgerEntry, DUPLICATE_REFERENCE.format(reference=reference), line_id=account.pk, kind=kind,
                         amount=amount, reference=reference, posted_at=at or clock.now(),
                         posted_by_id=by.pk if by else None, note=note)
    account.balance += amount
    changes = {"balance": account.balance}
    if settle_arrears and account.balance + usable_credit_limit(account.customer) >= 0:
        changes["arrears_since"] = account.arrears_since = None
    LineAccount.objects.filter(pk=account.pk).update(**changes)
    return entry


class PostingResult(NamedTuple):  # a bulk post makes 10,000: a named tuple (customers.bulk_types.LineRef)
    line: Line
    balance: Decimal
    usable_credit: Decimal
    state: str  # the barring state the policy gives now (applied at once, or by the nightly run: `applied`)
    restored: bool = False
    rule: str = ""  # the policy's rule that gives `state` ("" when the line stays where it was)
    applied: bool = True  # false: a rule the policy leaves to the nightly run (the line is still in its old state)
    credit_limit: Decimal = Decimal("0.00")


def _result(account: LineAccount, decision: "Decision | None" = None) -> PostingResult:
    limit = usable_credit_limit(account.customer)  # the limit ± active shared credit
    if decision is None:
        return PostingResult(account.line, account.balance, account.balance + limit, account.state, credit_limit=limit)
    return PostingResult(account.line, account.balance, account.balance + limit, decision.state,
                         decision.restored, decision.rule, decision.applied, limit)


@dataclass(frozen=True)
class Decision:
    state: str
    rule: str = ""
    applied: bool = True
    restored: bool = False


def account_decide(*, account: LineAccount, by=None, policy: policies.BarringPolicy | None = None) -> Decision:
    """The barring decision for one line right now, with the nightly run's state machine (policies.next_state
    over the same facts): applied at once when the policy lists the rule as immediate, else only answered.
    The arrears clock starts and stops as the nightly statement moves it."""
    if account.line.status == ServiceStatus.CLOSED:  # billing's closure is final here too (the nightly run skips
        return Decision(BarringState.CLOSED)           # closed lines): a final bill or payment never reopens one
    policy = policy or barring_policy_current()
    today = clock.today()
    customer = account.customer
    facts = policies.facts_now(state=account.state, balance=account.balance, limit=usable_credit_limit(customer),
                               star=customer.credit_star, arrears_since=account.arrears_since,
                               state_since=account.state_since, exempt_until=account.exempt_until,
                               exempt_cap=account.exempt_cap, today=today)
    since = (account.arrears_since or today) if facts.usable < 0 else None
    if since != account.arrears_since:
        LineAccount.objects.filter(pk=account.pk).update(arrears_since=since)
        account.arrears_since = since
    target, rule = policies.next_state(facts, policy)
    if not rule:
        return Decision(account.state)
    if rule not in policy.immediate_rules:
        return Decision(target, rule, applied=False)
    from_state = account.state
    account_transition(account=account, to_state=target, rule=rule, usable=facts.usable, by=by, policy=policy)
    return Decision(target, rule, restored=from_state in policies.BARRED and target == BarringState.ACTIVE)


@transaction.atomic(savepoint=False)  # the caller's transaction; a refusal raises before anything is written
def payment_record(*, line: Line, amount: Decimal, paid_at: datetime, channel: str, reference: str,
                   by=None) -> PostingResult:
    """A payment: into the ledger, onto the oldest unpaid bills, and service restored at once when usable
    credit is back to ≥ 0 (DOMAIN.md §5)."""
    account = _locked_account(line, clock.today())
    _insert_once(Payment, DUPLICATE.format(what=f"payment {reference!r}"), line_id=line.pk,
                 customer_id=line.customer_id, amount=amount, paid_at=paid_at, channel=channel, reference=reference)
    _post(account, kind=LedgerKind.PAYMENT, amount=amount, reference=f"payment-{reference}", by=by, at=paid_at,
          settle_arrears=True)
    _allocate_to_bills(line.pk, amount)
    if account.arrears_since is not None:  # still in arrears: the age moves on to the oldest bill left unpaid
        aging_refresh(line.pk, line.pk + 1, clock.today())
        account.refresh_from_db(fields=["arrears_since"])  # account_decide keeps the clock the aging just moved
    decision = account_decide(account=account, by=by)
    # Arrears already reads credit (star policies), so it calls credit's blacklist service directly: a payment
    # on a blacklisted line reduces what is owed and settles the entry when it is paid in full.
    blacklist_payments_apply(line=line, amount=amount, reference=reference, by=by)
    return _result(account, decision)


@transaction.atomic(savepoint=False)
def bill_record(*, line: Line, period: date, amount: Decimal, due_date: date, by=None,
                sp_charges: dict[int, Decimal] | None = None,
                costs: dict[str, Decimal] | None = None) -> PostingResult:
    """A monthly bill, with the parts service providers charged (for their settlement), as a ledger charge."""
    account = _locked_account(line, clock.today())
    bill = _insert_once(Bill, DUPLICATE.format(what=f"bill {period:%Y-%m} of {line.msisdn}"), line_id=line.pk,
                        customer_id=line.customer_id, period=period, amount=amount, due_date=due_date, paid_amount=0)
    SpCharge.objects.bulk_create(SpCharge(bill_id=bill.pk, sp_id=sp, period=period, amount=charged)
                                 for sp, charged in (sp_charges or {}).items())
    if costs:
        BillCost.objects.create(bill_id=bill.pk, **costs)
    _post(account, kind=LedgerKind.CHARGE, amount=-amount, reference=f"bill-{line.pk}-{period:%Y-%m}", by=by)
    return _result(account, account_decide(account=account, by=by))


@transaction.atomic(savepoint=False)
def usage_decide(*, line: Line, by=None) -> PostingResult:
    """After a usage post: the line's position and the barring state the policy gives now (opening the account
    from billing's figures if it has none yet)."""
    account = _locked_account(line, clock.today())
    return _result(account, account_decide(account=account, by=by))


def _insert_once(model, duplicate_message: str, **columns):
    """INSERT … ON CONFLICT DO NOTHING: the new row, or DuplicatePosting when a unique key (a reference, a
    line's month) had it already. No savepoint and no failed statement, so the transaction stays usable."""
    with connection.cursor() as cur:
        cur.execute(insert_once_sql(model, columns), list(columns.values()))
        row = cur.fetchone()
    if row is None:
        raise DuplicatePosting(duplicate_message)
    instance = model(id=row[0], **columns)
    instance._state.adding = False
    return instance


def _allocate_to_bills(line_id: int, amount: Decimal):
    """Pay the oldest unpaid bills first, in one statement."""
    with connection.cursor() as cur:
        cur.execute(ALLOCATE_TO_BILLS, {"line": line_id, "amount": amount})


def account_transition(*, account: LineAccount, to_state: str, rule: str, usable: Decimal, by=None, run=None,
                       policy: policies.BarringPolicy | None = None):
    """One line's state change with everything that goes with it: line status, status log, barring event
    (rule, policy version, who or which run), and the customer's SMS."""
    policy = policy or barring_policy_current()
    now, today = clock.now(), clock.today()
    from_state = account.state
    LineAccount.objects.filter(pk=account.pk).update(state=to_state, state_since=today)
    account.state, account.state_since = to_state, today
    status = LINE_STATUS[to_state]
    if account.line.status != status:
        LineStatusChange.objects.create(line=account.line, from_status=account.line.status, to_status=status,
                                        changed_at=now, reason=rule, source=policy.label, changed_by=by)
        Line.objects.filter(pk=account.pk).update(status=status)
        account.line.status = status
        customer_status_refresh(customer_ids=[account.line.customer_id])
    BarringEvent.objects.create(line_id=account.pk, from_state=from_state, to_state=to_state, rule=rule,
                                usable_credit=usable, policy_version=policy.label, at=now, run=run, by=by)
    if kind := policies.event_kind(from_state, to_state):
        events.decision_event_record(line_id=account.pk, kind=kind, from_state=from_state, to_state=to_state,
                                     rule=rule, policy_version=policy.label, at=now,
                                     payload=_money_payload(account, usable))
    sms_event, sms_amount = policies.barring_sms(from_state, to_state, usable)
    if sms_event:
        touchpoints.sms_enqueue(event=sms_event, customer=account.customer,
                                context={"amount": str(sms_amount), "date": f"{today:%Y-%m-%d}"},
                                dedup_key=f"barring-{account.pk}-{to_state}-{now:%Y%m%d%H%M%S%f}")


class EmergencyRefused(Exception):
    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


@transaction.atomic
def emergency_pass_grant(*, line: Line, channel: str, by=None) -> EmergencyPass:
    """Emergency continuity for an eligible customer (3★+, once a month by default): barring suspended for
    7 days up to an overdraft of the credit limit; a barred line is restored at once."""
    policy = barring_policy_current()
    today = clock.today()
    account = _locked_account(line, today)
    customer = account.customer
    granted = EmergencyPass.objects.filter(line__customer=customer, granted_at__date__gte=today.replace(day=1)).count()
    refusal = policies.emergency_refusal(star=customer.credit_star, granted_this_month=granted,
                                         closed=account.state == BarringState.CLOSED, policy=policy)
    if refusal:
        raise EmergencyRefused(*refusal)
    usable = account.balance + usable_credit_limit(customer)
    emergency = EmergencyPass.objects.create(
        line=line, granted_at=clock.now(), valid_until=today + timedelta(days=policy.emergency_days),
        overdraft_cap=customer.credit_limit, usable_at_grant=usable, channel=channel, granted_by=by,
        policy_version=policy.label)
    _exempt(account, until=emergency.valid_until, cap=emergency.overdraft_cap, reason="emergency continuity")
    events.decision_event_record(line_id=line.pk, kind="emergency_pass_granted", from_state=account.state,
                                 to_state=account.state, rule="emergency_continuity", policy_version=policy.label,
                                 payload={"validUntil": f"{emergency.valid_until:%Y-%m-%d}",
                                          "overdraftCap": str(emergency.overdraft_cap), "channel": channel,
                                          **_money_payload(account, usable)})
    if account.state in policies.BARRED and usable >= -emergency.overdraft_cap:
        account_transition(account=account, to_state=BarringState.ACTIVE, rule="emergency_continuity", usable=usable,
                           by=by, policy=policy)

    touchpoints.sms_enqueue(event="emergency_granted", customer=customer,
                            context={"date": f"{emergency.valid_until:%Y-%m-%d}", "days": policy.emergency_days},
                            dedup_key=f"emergency-{emergency.pk}")
    return emergency


EXEMPTION_REFUSALS = {
    "exemption_past": _("The exemption must end today or later."),
    "exemption_max_days": _("An exemption lasts at most %(days)s days (%(policy)s): until %(last)s at the latest."),
}


@transaction.atomic
def line_exempt(*, line: Line, until: date, reason: str, by) -> Exemption:
    """A credit officer exempts a line from barring until a date (within the policy's maximum), with a reason;
    it is still reminded."""
    today, policy = clock.today(), barring_policy_current()
    rule = policies.exemption_refusal(until=until, today=today, policy=policy)
    if rule:
        raise ValidationError({"valid_until": ValidationError(EXEMPTION_REFUSALS[rule], code=rule, params={
            "days": policy.exemption_max_days, "policy": policy.label,
            "last": f"{today + timedelta(days=policy.exemption_max_days):%Y-%m-%d}"})})
    account = _locked_account(line, today)
    exemption = Exemption(line=line, valid_until=until, reason=reason, granted_by=by)
    exemption._change_reason, exemption._history_user = reason[:100], by  # its history (on /audit/): why, who
    exemption.save()
    _exempt(account, until=until, cap=None, reason=reason)
    events.decision_event_record(line_id=line.pk, kind="exemption_set", from_state=account.state,
                                 to_state=account.state, rule="exemption", policy_version=policy.label,
                                 payload={"validUntil": f"{until:%Y-%m-%d}"})
    if account.state in policies.BARRED:
        account_transition(account=account, to_state=BarringState.ACTIVE, rule="exemption",
                           usable=account.balance + usable_credit_limit(account.customer), by=by)
    return exemption


def _exempt(account: LineAccount, *, until: date, cap, reason: str):
    LineAccount.objects.filter(pk=account.pk).update(exempt_until=until, exempt_cap=cap, exempt_reason=reason)
    account.exempt_until, account.exempt_cap, account.exempt_reason = until, cap, reason


WAIVER_TOO_MUCH = _("At most %(waivable)s of late fees can be waived on this line (asked %(amount)s).")


@transaction.atomic
def late_fees_waive(*, line: Line, amount: Decimal, reason: str, by) -> LedgerEntry:
    """A credit officer waives late fees with a reason: a credit entry in the ledger, never more than charged."""
    account = _locked_account(line, clock.today())
    sums = {row["kind"]: row["total"] for row in LedgerEntry.objects.filter(
        line=line, kind__in=[LedgerKind.LATE_FEE, LedgerKind.WAIVER]).values("kind").annotate(total=Sum("amount"))}
    waivable = -(sums.get(LedgerKind.LATE_FEE) or 0) - (sums.get(LedgerKind.WAIVER) or 0)
    if amount > waivable:
        raise ValidationError({"amount": WAIVER_TOO_MUCH % {
            "waivable": money(waivable), "amount": money(amount)}}, code="too_much")
    entry = _post(account, kind=LedgerKind.WAIVER, amount=amount, by=by, note=reason[:200],
                  reference=f"waiver-{line.pk}-{clock.now():%Y%m%d%H%M%S%f}", settle_arrears=True)
    account_decide(account=account, by=by)
    return entry


@transaction.atomic
def collection_record(*, account: LineAccount, status: str, outcome: str, by, promised_on: date | None = None,
                      promised_amount: Decimal | None = None) -> CollectionCase:
    """Collections staff record what happened: a promise to pay (date, amount) or an outcome."""
    case = (CollectionCase.objects.select_for_update().filter(line_id=account.pk).first()
            or CollectionCase(line_id=account.pk))
    case.status, case.outcome, case.worked_by = status, outcome, by
    case.promised_on, case.promised_amount = promised_on, promised_amount
    case.full_clean()
    case.save()
    return case


def line_balance_lock(*, line: Line) -> Decimal:
    """The line's ledger balance, its account locked until the caller's transaction ends (for a check that a
    posting in the same transaction relies on, e.g. a balance transfer's floor)."""
    return _locked_account(line, clock.today()).balance


@transaction.atomic(savepoint=False)
def balance_transfer_post(*, from_line: Line, to_line: Line, amount: Decimal, reference: str, by=None,
                          note: str = "") -> tuple[LedgerEntry, LedgerEntry]:
    """Balance transfer (余额转赠): out of one line's ledger and into another's, in one transaction (both
    accounts locked in line-id order, so two opposite transfers cannot deadlock)."""
    today = clock.today()
    accounts = {line.pk: _locked_account(line, today) for line in sorted((from_line, to_line), key=lambda x: x.pk)}
    out = _post(accounts[from_line.pk], kind=LedgerKind.TRANSFER_OUT, amount=-amount, reference=f"{reference}-out",
                by=by, note=note or f"to {to_line.msisdn}")
    into = _post(accounts[to_line.pk], kind=LedgerKind.TRANSFER_IN, amount=amount, reference=f"{reference}-in",
                 by=by, note=note or f"from {from_line.msisdn}")
    return out, into


@transaction.atomic(savepoint=False)
def ledger_adjust(*, line: Line, amount: Decimal, reference: str, note: str, by=None) -> LedgerEntry:
    """An adjustment decided elsewhere (a rebate paid or recovered): one ledger posting on the line."""
    return _post(_locked_account(line, clock.today()), kind=LedgerKind.ADJUSTMENT, amount=amount,
                 reference=reference, by=by, note=note)
