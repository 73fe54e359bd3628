"""Blacklist lifecycle: add (reason, evidence, amount owed), payments reduce it, settlement or an officer
clears it. Entries live in customers (onboarding reads them); decisions about them are credit's.

Adding an entry ends the customer's credit at once through credit.state (the one credit-state service); a
payment on the entry's line (arrears.services.payment_record calls `blacklist_payments_apply`) reduces what is
owed and clears a settled entry, with its history row (on /audit/) and the customer's SMS.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from credit import policies, state, touchpoints
from credit.choices import SmsEvent
from customers.models import BlacklistEntry, Customer, Line

ERR_ROLE = _("Only credit officers add or clear blacklist entries.")
ERR_REASON = _("Give a reason.")
ERR_AMOUNT = _("The amount owed cannot be negative.")
ERR_NOTHING_OPEN = _("This customer has no open blacklist entry.")
ERR_CLEARED = _("This entry was cleared; add a new one if needed.")
ERR_OWED_BELOW_PAID = _("%(paid)s CNY has been paid on this entry: the amount owed cannot be below it (clear the "
                        "entry instead).")


ADD_PERMISSION, CLEAR_PERMISSION = "customers.add_blacklistentry", "customers.change_blacklistentry"
# the code a settling payment's clearing reason starts with (labelled on /audit/; the credit home lists them)
SETTLED_BY_PAYMENT = "settled"


def _check_officer(by, permission: str) -> None:
    """Credit officers (and admins) decide blacklist entries; the system (by=None) adds them on closure."""
    if by is not None and not by.has_perm(permission):
        raise PermissionDenied(ERR_ROLE)


@transaction.atomic
def blacklist_entry_add(*, customer: Customer, reason: str, amount_owed: Decimal, evidence: str = "",
                        line: Line | None = None, by=None) -> BlacklistEntry:
    """Blacklist the customer's identity; their credit ends at once (unrated, limit 0, a rating row)."""
    _check_officer(by, ADD_PERMISSION)
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(ERR_REASON, code="required")})
    if amount_owed is None or amount_owed < 0:
        raise ValidationError({"amount_owed": ValidationError(ERR_AMOUNT, code="min_value")})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    entry = BlacklistEntry(id_type=customer.id_type, id_number=customer.id_number, customer=customer, line=line,
                           reason=reason.strip(), evidence=(evidence or "").strip(), amount_owed=amount_owed,
                           added_by=by)
    entry._change_reason = reason.strip()[:100]
    entry.save()
    same_person = Customer.objects.filter(id_type=customer.id_type, id_number=customer.id_number)
    state.credit_end(customer_ids=same_person.values_list("pk", flat=True), rule=state.BLACKLISTED,
                     reason=reason.strip(), by=by)
    return entry


def _clear(entry: BlacklistEntry, *, reason: str, by=None, msisdn: str | None = None) -> None:
    entry.cleared_at, entry.cleared_by, entry.cleared_reason = clock.now(), by, reason[:200]
    entry._change_reason = reason[:100]
    entry.save()
    if entry.customer_id:
        touchpoints.sms_enqueue(event=SmsEvent.BLACKLIST_CLEARED, customer=entry.customer,
                                context={"amount": entry.amount_paid}, dedup_key=f"blacklist-cleared-{entry.pk}",
                                msisdn=msisdn or (entry.line.msisdn if entry.line_id else None))


@transaction.atomic
def blacklist_entries_clear(*, customer: Customer, reason: str, by, entry_id: int | None = None) -> list:
    """A credit officer clears the customer's open entries (or the one named), with a reason."""
    _check_officer(by, CLEAR_PERMISSION)
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(ERR_REASON, code="required")})
    entries = BlacklistEntry.objects.select_for_update().filter(
        id_type=customer.id_type, id_number=customer.id_number, cleared_at__isnull=True).order_by("id")
    if entry_id is not None:
        entries = entries.filter(pk=entry_id)
    entries = list(entries)
    if not entries:
        raise ValidationError({"entry": ValidationError(ERR_NOTHING_OPEN, code="not_blacklisted")})
    for entry in entries:
        _clear(entry, reason=f"cleared by officer: {reason.strip()}", by=by)
    return entries


@transaction.atomic
def blacklist_entry_update(*, entry: BlacklistEntry, by, reason: str, evidence: str,
                           amount_owed: Decimal) -> BlacklistEntry:
    """A credit officer corrects an open entry's evidence or amount owed, with a reason (its history, on /audit/).
    Ending an entry is clearing it (`blacklist_entries_clear`); the amount never falls below what was paid."""
    _check_officer(by, CLEAR_PERMISSION)
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(ERR_REASON, code="required")})
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.cleared_at is not None:
        raise ValidationError({"__all__": ValidationError(ERR_CLEARED, code="cleared")})
    if amount_owed is None or amount_owed < 0:
        raise ValidationError({"amount_owed": ValidationError(ERR_AMOUNT, code="min_value")})
    if amount_owed <= entry.amount_paid:
        raise ValidationError({"amount_owed": ValidationError(ERR_OWED_BELOW_PAID, code="below_paid",
                                                              params={"paid": entry.amount_paid})})
    entry.evidence, entry.amount_owed = (evidence or "").strip(), amount_owed
    entry._change_reason, entry._history_user = reason.strip()[:100], by
    entry.save()
    return entry


def blacklist_payments_apply(*, line: Line, amount: Decimal, reference: str, by=None) -> list[BlacklistEntry]:
    """A payment on a line reduces the open entries about that line (or, for an entry without a line, about
    its customer), oldest first; an entry paid in full is settled and cleared. Runs in the payment's
    transaction; a person has one or two entries, so this is no batch."""
    entries = list(BlacklistEntry.objects.select_for_update(of=("self",)).select_related("customer", "line").filter(
        Q(line_id=line.pk) | Q(line__isnull=True, customer_id=line.customer_id), cleared_at__isnull=True,
    ).order_by("created_at", "id"))
    if not entries:
        return []
    parts = policies.blacklist_settlement([e.amount_outstanding for e in entries], amount)
    touched = []
    for entry, part in zip(entries, parts, strict=True):
        if part <= 0:
            continue
        entry.amount_paid += part
        if entry.amount_outstanding <= 0:
            _clear(entry, reason=f"{SETTLED_BY_PAYMENT}: {reference}", by=by, msisdn=line.msisdn)
        else:
            entry._change_reason = f"payment: {reference}, ¥{part}"  # the code before ":" is labelled on /audit/
            entry.save(update_fields=["amount_paid", "updated_at"])
        touched.append(entry)
    return touched


def blacklist_entries(*, user=None):
    """Every entry, newest first: the blacklist is the credit officers' (who see all), not a book's."""
    return BlacklistEntry.objects.select_related("customer", "added_by", "cleared_by").order_by("-created_at")


def blacklist_status_filter(entries, status: str):
    """open / cleared; anything else (all) leaves them."""
    if status == "open":
        return entries.filter(cleared_at__isnull=True)
    if status == "cleared":
        return entries.filter(cleared_at__isnull=False)
    return entries


def blacklist_query_filter(entries, query: str):
    """By ID number or customer id."""
    query = (query or "").strip()
    if not query:
        return entries
    return entries.filter(Q(id_number=query.upper()) | Q(customer_id=int(query) if query.isdigit() else None))


def blacklist_list(*, status: str = "open", query: str = ""):
    """Entries for the credit officers' API: open or cleared, by ID number or customer id (the page: the same
    rules through credit.filtersets.BlacklistFilterSet)."""
    return blacklist_query_filter(blacklist_status_filter(blacklist_entries(), status), query)
