"""What billing pushes about a line besides money: monthly usage summaries and line status changes.

Billing is the source of these facts; the arrears policy stays the source of barring (its nightly run
writes line status from the barring state). Both writes are idempotent by content: the same usage month
again replaces the figures (billing corrects a month by resending it), the same status again changes nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from customers.choices import ServiceStatus
from customers.models import Line, LineStatusChange, UsageSummary
from customers.status import refresh_customer_status

ERR_CLOSED = _("The line is closed and its number reclaimed: it cannot change status again.")
ERR_FUTURE_MONTH = _("The month %(month)s has not begun yet.")
USAGE_FIELDS = ("voice_minutes", "data_mb", "sms_count", "competitor_hotline_calls", "plan_saturation",
                "broadband_bundled", "bill_amount", "prepaid_balance")


class IntakeRefused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class UsageResult:
    line: Line
    month: date
    created: bool


@dataclass(frozen=True)
class StatusResult:
    line: Line
    status: str
    changed: bool


@transaction.atomic
def usage_summary_record(*, line: Line, month: date, figures: dict, today: date) -> UsageResult:
    """Store (or correct) one month of a line's usage."""
    month = month.replace(day=1)
    if month > today:
        raise IntakeRefused("month", str(ERR_FUTURE_MONTH % {"month": f"{month:%Y-%m}"}))
    _, created = UsageSummary.objects.update_or_create(
        line=line, month=month, defaults={"customer_id": line.customer_id, **{f: figures[f] for f in USAGE_FIELDS}})
    return UsageResult(line, month, created)


@transaction.atomic
def line_status_report(*, line: Line, status: str, changed_at: datetime, reason: str, by=None) -> StatusResult:
    """A status change billing made (a cancellation, a reactivation, a network-side suspension), logged."""
    locked = Line.objects.select_for_update().get(pk=line.pk)
    if locked.status == status:
        return StatusResult(locked, status, False)
    if locked.status == ServiceStatus.CLOSED:
        raise IntakeRefused("status", str(ERR_CLOSED))
    LineStatusChange.objects.create(line=locked, from_status=locked.status, to_status=status, changed_at=changed_at,
                                    reason=reason, source="billing", changed_by=by)
    Line.objects.filter(pk=locked.pk).update(status=status)
    locked.status = status
    refresh_customer_status([locked.customer_id])
    if status == ServiceStatus.CLOSED and not locked.customer.lines.exclude(status=ServiceStatus.CLOSED).exists():
        from credit.services import customer_credit_end  # credit reads customers; not the other way at import

        customer_credit_end(customer=locked.customer, reason="all lines closed (billing)", by=by)
    return StatusResult(locked, status, True)
