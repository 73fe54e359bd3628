"""Extended credit services (source 004): balance transfer, credit sharing, credit transfer.

Every grant is recorded (on /audit/ and both customers' 360° pages) with the policy version that allowed it.
A grant moves value: balance transfers post to the arrears ledger, shares lend credit (credit.sharing), credit
transfers move limits. A refusal names the rule and writes nothing.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import customer_scope_q
from credit import policies
from credit.choices import ExtendedService, RatingKind, RequestStatus
from credit.ledger import ledger
from credit.models import ExtendedServicePolicy, ExtendedServiceRequest
from credit.services import rating_record
from customers.models import BlacklistEntry, Customer, Line

ERR_UNKNOWN_RECEIVER = _("No open line %(value)s in your scope.")
ERR_UNKNOWN_GIVER = _("No customer %(value)s in your scope.")
ERR_UNKNOWN_GIVER_LINE = _("The giver has no open line %(value)s.")
log = logging.getLogger(__name__)


def _month_start():
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _usage(giver: Customer, service: str) -> policies.Usage:
    approved = ExtendedServiceRequest.objects.filter(giver=giver, service=service, status=RequestStatus.APPROVED,
                                                     created_at__gte=_month_start())
    totals = approved.aggregate(amount=Sum("amount"), count=Count("id"))
    return policies.Usage(amount=totals["amount"] or Decimal(0), count=totals["count"],
                          persons=frozenset(approved.values_list("receiver_id", flat=True)))


def shared_out(customer: Customer) -> Decimal:
    """Credit the customer is currently sharing with others (active or not yet effective, unexpired shares)."""
    now = timezone.now()
    return ExtendedServiceRequest.objects.filter(
        giver=customer, service=ExtendedService.CREDIT_SHARING, status=RequestStatus.APPROVED
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now)).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def _giving_line(giver: Customer, giver_msisdn: str | None) -> Line | None:
    lines = giver.lines.exclude(status="closed").order_by("id")
    if giver_msisdn:
        line = lines.filter(msisdn=giver_msisdn).first()
        if line is None:
            raise ValidationError({"giver_msisdn": ValidationError(ERR_UNKNOWN_GIVER_LINE, code="unknown",
                                                                   params={"value": giver_msisdn})})
        return line
    return lines.first()


def _available(service: str, giver: Customer, giver_line: Line | None, floor: Decimal) -> Decimal:
    """Balance transfer: the giving line's ledger balance above the policy floor (its account locked);
    credit sharing and transfer: the limit not already shared."""
    if service == ExtendedService.BALANCE_TRANSFER:
        return (ledger().line_balance_lock(line=giver_line) - floor) if giver_line is not None else Decimal(0)
    return giver.credit_limit - shared_out(giver)


def _receiving_line(by, *, giver: Customer, receiver_msisdn: str) -> Line:
    """The receiving line; giver and receiver must both be in the caller's scope (outside it they do not exist)."""
    scope = customer_scope_q(by)
    if not Customer.objects.filter(scope, pk=giver.pk).exists():
        raise ValidationError({"giver": ValidationError(ERR_UNKNOWN_GIVER, code="unknown",
                                                        params={"value": giver.pk})})
    receiver_line = (Line.objects.select_related("customer").filter(customer_scope_q(by, prefix="customer__"))
                     .filter(msisdn=receiver_msisdn).exclude(status="closed").first())
    if receiver_line is None:
        raise ValidationError({"receiver_msisdn": ValidationError(ERR_UNKNOWN_RECEIVER, code="unknown",
                                                                  params={"value": receiver_msisdn})})
    return receiver_line


def _blacklisted(customer: Customer) -> bool:
    return BlacklistEntry.objects.filter(id_type=customer.id_type, id_number=customer.id_number,
                                         cleared_at__isnull=True).exists()


def _rules(policy: ExtendedServicePolicy) -> policies.ExtendedRules:
    return policies.ExtendedRules(
        min_star=policy.min_star, max_amount=policy.max_amount, max_amount_per_month=policy.max_amount_per_month,
        max_count_per_month=policy.max_count_per_month, max_persons_per_month=policy.max_persons_per_month,
        channels=tuple(c.strip() for c in policy.channels.split(",") if c.strip()), active=policy.active,
    )


@transaction.atomic
def extended_service_request(*, service: str, giver: Customer, receiver_msisdn: str, amount: Decimal, channel: str,
                             by, giver_msisdn: str | None = None) -> ExtendedServiceRequest:
    """Check the service's rules (policy data, versioned) in order; a grant is recorded and takes effect —
    a balance transfer posts two ledger entries, a share lends credit from its effective time until it
    expires, a credit transfer moves both limits through rating rows. A refusal raises a ValidationError
    whose code is the rule that failed, on the field it is about, and writes nothing (it is in the access
    log). Giver and receiver must be in `by`'s scope; a service that moves limits needs the credit role."""
    if service in policies.LIMIT_CHANGING_SERVICES and not by.has_perm(policies.LIMIT_PERMISSION):
        raise PermissionDenied(policies.EXTENDED_REFUSALS["role"])
    receiver_line = _receiving_line(by, giver=giver, receiver_msisdn=receiver_msisdn)
    # Lock both customers in id order (serialises a giver's requests; no deadlock between two transfers).
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(
        pk__in={giver.pk, receiver_line.customer_id}).order_by("pk")}
    giver, receiver = locked[giver.pk], locked[receiver_line.customer_id]
    policy = ExtendedServicePolicy.objects.get(service=service)
    giver_line = _giving_line(giver, giver_msisdn) if service == ExtendedService.BALANCE_TRANSFER else None
    move = None
    if service in policies.LIMIT_CHANGING_SERVICES:
        move = policies.LimitMove(giver_star=giver.credit_star, giver_after=giver.credit_limit - amount,
                                  receiver_star=receiver.credit_star, receiver_after=receiver.credit_limit + amount)
    floor = policy.giver_floor if service == ExtendedService.BALANCE_TRANSFER else None
    refusal = policies.extended_refusal(
        _rules(policy), star=giver.credit_star, amount=amount, channel=channel, receiver_key=receiver.pk,
        same_person=receiver.pk == giver.pk, used=_usage(giver, service),
        available=_available(service, giver, giver_line, floor or Decimal(0)),
        may_change_limits=by.has_perm(policies.LIMIT_PERMISSION), move=move, floor=floor,
        receiver_blacklisted=service != ExtendedService.BALANCE_TRANSFER and _blacklisted(receiver),
    )
    if refusal:
        rule, message = refusal
        log.info("extended service %s refused (%s) for customer %s by %s: %s", service, rule, giver.pk, by, message)
        raise ValidationError({policies.REFUSAL_FIELDS[rule]: ValidationError(message, code=rule)})
    now = timezone.now()
    effective = now + timedelta(hours=policy.effective_hours) if service == ExtendedService.CREDIT_SHARING else now
    request = ExtendedServiceRequest.objects.create(
        service=service, giver=giver, receiver=receiver, receiver_msisdn=receiver_msisdn, amount=amount,
        channel=channel, requested_by=by, status=RequestStatus.APPROVED, giver_line=giver_line,
        policy_version=policy.version, effective_at=effective, created_at=now,
        valid_until=effective + timedelta(days=policy.validity_days) if policy.validity_days else None,
    )
    if move is not None:
        _transfer_limit(request, move)
    if service == ExtendedService.BALANCE_TRANSFER:
        ledger().balance_transfer_post(from_line=giver_line, to_line=receiver_line, amount=amount,
                              reference=f"extended-{request.pk}", by=by)
    return request


def _transfer_limit(request: ExtendedServiceRequest, move: policies.LimitMove):
    giver, receiver, by = request.giver, request.receiver, request.requested_by
    rating_record(customer=giver, kind=RatingKind.MANUAL, new_star=giver.credit_star, new_limit=move.giver_after,
                  reason=f"credit transfer {request.pk} to customer {receiver.pk}", by=by, rule="credit_transfer",
                  policy_version=f"extended-v{request.policy_version}")
    rating_record(customer=receiver, kind=RatingKind.MANUAL, new_star=receiver.credit_star,
                  new_limit=move.receiver_after,
                  reason=f"credit transfer {request.pk} from customer {giver.pk}", by=by, rule="credit_transfer",
                  policy_version=f"extended-v{request.policy_version}")
