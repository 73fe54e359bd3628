"""Entitlements applied where they matter (source 004): SIM replacement with the yearly free quota, fee waivers
on the fee the API quotes, flexible authentication, rebate before verification for 5★. The numbers are pure
functions in credit.policies; numbers per person are applied by customers.services at every line opening."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit import policies
from credit.ledger import ledger
from credit.models import RebateClaim, SimReplacement
from customers.models import Customer, Line

ERR_SERVICE = _("Unknown service %(value)s; one of: %(choices)s.")
ERR_LINE = _("The customer has no open line %(value)s.")
ERR_AMOUNT = _("The amount must be positive.")
ERR_REASON = _("Give a reason.")
ERR_NOT_PENDING = _("This rebate was verified already.")
ERR_OWN_CLAIM = _("A rebate is verified by someone other than who requested it.")


def list_price(service: str) -> Decimal:
    prices = {**policies.SERVICE_FEES, **getattr(settings, "CREDIT_SERVICE_FEES", {})}
    return Decimal(prices[service])


def _check_service(service: str, choices) -> None:
    if service not in choices:
        raise ValidationError({"service": ValidationError(ERR_SERVICE, code="invalid_choice", params={
            "value": service, "choices": ", ".join(choices)})})


def _year_start():
    return timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def _open_line(customer: Customer, msisdn: str | None) -> Line:
    lines = customer.lines.exclude(status="closed").order_by("id")
    line = lines.filter(msisdn=msisdn).first() if msisdn else lines.first()
    if line is None:
        raise ValidationError({"msisdn": ValidationError(ERR_LINE, code="unknown", params={"value": msisdn or ""})})
    return line


def fee_quote(*, customer: Customer, service: str) -> policies.Fee:
    """The fee this customer pays for a service now, waivers and the year's free SIM replacements applied."""
    _check_service(service, tuple(policies.SERVICE_FEES))
    if service == "sim_replacement":
        used = SimReplacement.objects.filter(customer=customer, done_at__gte=_year_start(), rule="free_quota").count()
        return policies.sim_replacement_fee(customer.credit_star, used, list_price(service))
    return policies.service_fee(service, customer.credit_star, list_price(service))


def verification_methods(*, customer: Customer, service: str) -> dict:
    _check_service(service, policies.FLEXIBLE_AUTH_SERVICES + tuple(policies.SERVICE_FEES) + ("other",))
    return policies.verification_methods(service, customer.credit_star)


@transaction.atomic
def sim_replacement_record(*, customer: Customer, channel: str, by, msisdn: str | None = None) -> SimReplacement:
    """Record a SIM replacement with the fee the quota leaves (the customer locked: two at once count once each)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    line = _open_line(customer, msisdn)
    fee = fee_quote(customer=customer, service="sim_replacement")
    return SimReplacement.objects.create(customer=customer, line=line, star=customer.credit_star,
                                         list_price=fee.list_price, fee=fee.fee, rule=fee.rule,
                                         channel=channel[:20], done_by=by)


@transaction.atomic
def rebate_request(*, customer: Customer, amount: Decimal, reason: str, by, msisdn: str | None = None) -> RebateClaim:
    """A rebate claim: a 5★ customer is paid at once (a ledger credit) and verified after; others wait."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": ValidationError(ERR_AMOUNT, code="min_value")})
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(ERR_REASON, code="required")})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    line = _open_line(customer, msisdn)
    first = policies.rebate_pays_first(customer.credit_star)
    claim = RebateClaim.objects.create(
        customer=customer, line=line, amount=amount, reason=reason.strip(), paid_first=first, requested_by=by,
        status=RebateClaim.Status.PAID_UNVERIFIED if first else RebateClaim.Status.AWAITING_VERIFICATION)
    if first:
        _post(claim, amount, "paid", by)
    return claim


def _post(claim: RebateClaim, amount: Decimal, what: str, by) -> None:
    ledger().ledger_adjust(line=claim.line, amount=amount, reference=f"rebate-{claim.pk}-{what}", by=by,
                  note=f"rebate {claim.pk} {what}: {claim.reason}")


@transaction.atomic
def rebate_verify(*, claim: RebateClaim, passed: bool, note: str, by) -> RebateClaim:
    """Verification: passed → paid (now, unless paid first); failed → not paid, or recovered if paid first."""
    claim = RebateClaim.objects.select_for_update().get(pk=claim.pk)
    if by is not None and claim.requested_by_id == by.pk:  # four eyes: the verification is a second person's
        raise PermissionDenied(ERR_OWN_CLAIM)
    if claim.status not in (RebateClaim.Status.AWAITING_VERIFICATION, RebateClaim.Status.PAID_UNVERIFIED):
        raise ValidationError({"claim": ValidationError(ERR_NOT_PENDING, code="not_pending")})
    if passed:
        if not claim.paid_first:
            _post(claim, claim.amount, "paid", by)
        claim.status = RebateClaim.Status.PAID
    elif claim.paid_first:
        _post(claim, -claim.amount, "recovered", by)
        claim.status = RebateClaim.Status.RECOVERED
    else:
        claim.status = RebateClaim.Status.REJECTED
    claim.verified_by, claim.verified_at, claim.verification_note = by, timezone.now(), (note or "")[:200]
    claim.save()
    return claim
