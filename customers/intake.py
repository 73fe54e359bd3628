"""What billing pushes about a line besides money: monthly usage summaries and line status changes.

Billing is the source of these facts; the arrears policy stays the source of barring (its nightly run
writes line status from the barring state). Both writes are idempotent by content: the same usage month
again replaces the figures (billing corrects a month by resending it), the same status again changes nothing.
"""

from dataclasses import dataclass
from typing import NamedTuple
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers import policies
from customers import events
from customers.choices import DecisionKind, ServiceStatus
from customers.models import Line, LineStatusChange, UsageSummary
from customers.signals import customers_closed, customers_reopened
from customers.status import customer_status_refresh

ERR_FUTURE_MONTH = _("The month %(month)s has not begun yet.")
USAGE_FIELDS = ("voice_minutes", "data_mb", "sms_count", "competitor_hotline_calls", "plan_saturation",
                "broadband_bundled", "bill_amount", "prepaid_balance")


class IntakeRefused(Exception):
    def __init__(self, field: str, message: str, code: str = "refused"):
        super().__init__(message)
        self.field, self.code = field, code


class UsageResult(NamedTuple):  # a bulk post makes 10,000: a named tuple (customers.bulk_types.LineRef)
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
    """A status change billing made (a cancellation, a reactivation, a network-side suspension), logged.

    Billing's word is final where billing decides: a closure closes the line on billing's date, exactly like
    the product's own closure (customer status, churn counts `closed_on`, `customers_closed` when it was the
    customer's last open line: credit ends, the retention queue drops them), and keeps the number for the
    retention period of the customer's star. A reactivation within that period reopens the line
    (`customers_reopened` when the customer had no other open line); after it, it is refused naming the rule."""
    locked = Line.objects.select_for_update(of=("self",)).select_related("customer").get(pk=line.pk)
    if locked.status == status:
        return StatusResult(locked, status, False)
    on = timezone.localdate(changed_at)
    reopening = locked.status == ServiceStatus.CLOSED
    if reopening and (refusal := policies.reopen_refusal(reopen_until=locked.reopen_until, on=on)):
        raise IntakeRefused("status", refusal.messages[0], refusal.code)
    customer_was_open = Line.objects.filter(customer_id=locked.customer_id).exclude(
        status=ServiceStatus.CLOSED).exclude(pk=locked.pk).exists()
    from_status = locked.status
    LineStatusChange.objects.create(line=locked, from_status=from_status, to_status=status, changed_at=changed_at,
                                    reason=reason, source="billing", changed_by=by)
    if status == ServiceStatus.CLOSED:
        fields = {"closed_on": on,
                  "reopen_until": on + timedelta(days=policies.number_retention_days(locked.customer.credit_star))}
    elif reopening:
        fields = {"closed_on": None, "reopen_until": None}
    else:
        fields = {}
    Line.objects.filter(pk=locked.pk).update(status=status, **fields)
    locked.status = status
    for name, value in fields.items():
        setattr(locked, name, value)
    customer_status_refresh(customer_ids=[locked.customer_id])
    if status == ServiceStatus.CLOSED:  # billing's closure is a decision too: in the log, before credit's end
        events.decision_event_record(line_id=locked.pk, kind=DecisionKind.CLOSED, from_state=from_status,
                                     to_state=status, rule="billing_closure", policy_version="billing",
                                     payload={"closedOn": on, "reopenUntil": locked.reopen_until, "reason": reason},
                                     at=changed_at)
    if not customer_was_open:
        if status == ServiceStatus.CLOSED:
            customers_closed.send(sender=Line, customer_ids=[locked.customer_id], on=on,
                                  reason=f"all lines closed (billing): {reason}", by=by)
        elif reopening:
            customers_reopened.send(sender=Line, customer_ids=[locked.customer_id], on=on,
                                    reason=f"line reactivated (billing): {reason}", by=by)
    return StatusResult(locked, status, True)
