"""Reads for customers. Every one of them starts from the user's scope."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.masking import mask_msisdn
from core.scope import customer_scope_q
from core.selectors import LOOKUP_LIMIT
from customers.choices import ServiceStatus
from customers.filtersets import CustomerFilterSet
from customers.models import (
    BlacklistEntry,
    CallQuality,
    CareContact,
    Contract,
    Customer,
    Device,
    HeldService,
    Line,
    OnboardingCallback,
    PaymentMethodRecord,
    UsageSummary,
)


def customer_list(*, user, filters=None):
    qs = Customer.objects.visible_to(user).select_related("region", "brand", "account_manager__staff_profile")
    return CustomerFilterSet(filters or {}, queryset=qs).qs


def customer_lookup(*, user, q: str = "", pk=None) -> list[dict]:
    """A name picker's customers, in the user's scope only: at most LOOKUP_LIMIT whose name starts with `q`, whose
    mobile number starts with it, whose ID ends with it (the list's search) or whose customer number it is; or
    the one with id `pk`. Each {id, text (the name), sub: number and masked mobile number}."""
    visible = Customer.objects.visible_to(user)
    if pk is not None:
        qs = visible.filter(pk=pk)
    elif q:
        qs = CustomerFilterSet({"q": q}, queryset=visible).qs
        if q.isdigit() and len(q) <= 18:
            qs = qs | visible.filter(pk=int(q))
    else:
        return []
    customers = list(qs.order_by("name", "pk").only("pk", "name")[:LOOKUP_LIMIT])
    numbers = {}
    lines = Line.objects.filter(customer__in=[c.pk for c in customers]).order_by("customer_id", "activated_on")
    for customer_id, msisdn in lines.values_list("customer_id", "msisdn"):
        numbers.setdefault(customer_id, msisdn)
    return [{"id": c.pk, "text": c.name,
             "sub": " · ".join(x for x in (f"#{c.pk}", mask_msisdn(numbers.get(c.pk, ""))) if x)}
            for c in customers]


def callbacks_assigned(*, user):
    """The identity callbacks assigned to the user, open ones first, soonest due first."""
    return OnboardingCallback.objects.filter(assigned_to=user).select_related("customer").order_by("status", "due_on")


def customer_get(*, user, pk) -> Customer:
    """The customer if in the user's scope, else 404 (we do not reveal that it exists)."""
    qs = Customer.objects.visible_to(user).select_related(
        "region", "brand", "acquiring_channel", "account_manager__staff_profile"
    )
    return get_object_or_404(qs, pk=pk)


def customer_monthly_usage(*, customer: Customer, months: int = 12) -> list[dict]:
    """Usage of all the customer's lines summed per month, oldest first (for the chart)."""
    rows = (
        customer.usage.values("month")
        .annotate(bill=Sum("bill_amount"), voice=Sum("voice_minutes"), data=Sum("data_mb"), sms=Sum("sms_count"),
                  competitor_calls=Sum("competitor_hotline_calls"))
        .order_by("-month")[:months]
    )
    return list(reversed(rows))


def dashboard_figures(*, user) -> dict:
    """Counts by star and status, callbacks due and the billed-revenue trend, within the user's scope."""
    scoped = Customer.objects.visible_to(user)
    by_star = {row["credit_star"]: row["n"] for row in scoped.values("credit_star").annotate(n=Count("id"))}
    by_status = {row["status"]: row["n"] for row in scoped.values("status").annotate(n=Count("id"))}
    trend = list(
        UsageSummary.objects.filter(customer_scope_q(user, prefix="customer__"))
        .values("month").annotate(bill=Sum("bill_amount")).order_by("-month")[:12]
    )
    return {
        "total_customers": sum(by_star.values()),
        "by_star": [(star, by_star.get(star, 0)) for star in (5, 4, 3, 2, 1, 0, None)],
        "by_status": [(label, by_status.get(value, 0)) for value, label in ServiceStatus.choices],
        "revenue_trend": [{"month": r["month"].strftime("%Y-%m"), "bill": str(r["bill"])} for r in reversed(trend)],
        "callbacks_due": OnboardingCallback.objects.filter(assigned_to=user, status="open").count(),
    }


def customer_inputs(*, customer: Customer, today=None) -> dict:
    """What operators told us besides billing, as of `today`: the device in use (and how many before it), the
    contract in force, services held, payment method, recent care contacts with 90-day counts by kind, and
    call quality for the months that were sent (a month never sent is unknown, not a row of zeros)."""
    today = today or timezone.localdate()
    devices = list(Device.objects.filter(customer=customer, started_on__lte=today).order_by("-started_on")[:6])
    contract = (Contract.objects.filter(customer=customer, starts_on__lte=today)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).order_by("-starts_on").first())
    since = timezone.make_aware(datetime.combine(today - timedelta(days=90), time.min))
    care = CareContact.objects.filter(customer=customer)
    quality = list(CallQuality.objects.filter(customer=customer).values("month").annotate(
        dropped=Sum("dropped_calls"), blocked=Sum("blocked_calls"), unanswered=Sum("unanswered_calls"),
        roaming=Sum("roaming_minutes"), overage=Sum("overage_minutes")).order_by("-month")[:12])
    return {
        "device": devices[0] if devices else None,
        "device_months": (today - devices[0].started_on).days * 12 // 365 if devices else None,
        "earlier_devices": devices[1:],
        "contract": contract,
        "contract_days_left": (contract.ends_on - today).days if contract and contract.ends_on else None,
        "services_held": list(HeldService.objects.filter(customer=customer, started_on__lte=today)
                              .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today)).order_by("code")),
        "payment_method": PaymentMethodRecord.objects.filter(customer=customer, since__lte=today)
        .order_by("-since").first(),
        "care_contacts": list(care.order_by("-contacted_at")[:10]),
        "care_counts_90d": dict(care.filter(contacted_at__gte=since).values_list("kind").annotate(n=Count("id"))),
        "call_quality": [{**row, "month": row["month"].strftime("%Y-%m")} for row in reversed(quality)],
    }


def blacklist_owed(*, id_type: str, id_number: str) -> Decimal | None:
    """Total owed on open blacklist entries for this identity, or None if not blacklisted."""
    total = BlacklistEntry.objects.filter(
        id_type=id_type, id_number=id_number.upper(), cleared_at__isnull=True
    ).aggregate(total=Sum(F("amount_owed") - F("amount_paid")))["total"]  # what is still owed, after payments
    return total
