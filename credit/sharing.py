"""Shared credit (信用共享): an approved share lends part of the giver's credit to the receiver for a while.

It raises the receiver's usable credit and lowers the giver's from its effective time until it expires —
by itself: nothing has to run at expiry, because every computation of usable credit (the credit-status API,
the nightly arrears evaluation, payments and restores, the 360° page) adds the shares active at that moment
through the functions below and the SQL of credit.sql.sharing.
"""

from decimal import Decimal

from django.db.models import Q

from core import clock
from credit.choices import ExtendedService, RequestStatus
from credit.models import ExtendedServiceRequest
# re-exported: arrears' statements add the active shares with it (`credit.sharing.active_shares_sql`)
from credit.sql.sharing import active_shares_sql as active_shares_sql

def _active(at=None) -> Q:
    at = at or clock.now()
    return (Q(service=ExtendedService.CREDIT_SHARING, status=RequestStatus.APPROVED)
            & (Q(effective_at__isnull=True, created_at__lte=at) | Q(effective_at__lte=at))
            & (Q(valid_until__isnull=True) | Q(valid_until__gt=at)))


def shared_net(customer_ids, at=None) -> dict[int, Decimal]:
    """{customer id: received − given} of the shares active at `at` (now); customers without shares: absent."""
    ids = list(customer_ids)
    net: dict[int, Decimal] = {}
    rows = ExtendedServiceRequest.objects.filter(_active(at), Q(giver_id__in=ids) | Q(receiver_id__in=ids))
    for giver, receiver, amount in rows.values_list("giver_id", "receiver_id", "amount"):
        if receiver in ids:
            net[receiver] = net.get(receiver, Decimal(0)) + amount
        if giver in ids:
            net[giver] = net.get(giver, Decimal(0)) - amount
    return net


def usable_credit_limit(customer, at=None) -> Decimal:
    """The credit a customer can use now: their limit plus shares received minus shares given."""
    return customer.credit_limit + shared_net([customer.pk], at).get(customer.pk, Decimal(0))
