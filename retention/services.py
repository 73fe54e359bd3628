"""Alert decisions. The page's form, the API action and any batch go through these functions."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from retention import policies
from retention.choices import AlertStatus
from retention.models import AlertEvent, RetentionAlert
from retention.selectors import scan_config


@transaction.atomic
def alert_transition(*, alert: RetentionAlert, to_status: str, by, note: str = "", offer: str = "",
                     offer_cost: Decimal | None = None, outcome: str = "") -> RetentionAlert:
    """Move an alert along the lifecycle table, record offer/cost/outcome, and audit it in AlertEvent."""
    alert = RetentionAlert.objects.select_for_update().get(pk=alert.pk)
    errors = policies.transition_errors(current=alert.status, target=to_status, offer=offer or alert.offer,
                                        offer_cost=offer_cost, note=note)
    if errors:
        raise ValidationError({field: ValidationError(message, code=field) for field, message in errors.items()})
    now = timezone.now()
    AlertEvent.objects.create(alert=alert, at=now, by=by, from_status=alert.status, to_status=to_status, note=note)
    alert.status = to_status
    alert.offer = offer or alert.offer
    if offer_cost is not None:
        alert.offer_cost = offer_cost
    if outcome:
        alert.outcome = outcome
    if note:
        alert.notes = f"{alert.notes}\n{note}".strip()
    if to_status in policies.CLOSED_STATUSES:
        alert.closed_at = now
    if to_status == AlertStatus.RETAINED:  # a claim until the daily verification confirms it (retention.verify)
        alert.verification = "pending"
        alert.verify_on = timezone.localdate() + timedelta(days=scan_config().retained_check_days)
    alert.full_clean()
    alert.save()
    return alert
