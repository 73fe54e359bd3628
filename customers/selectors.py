"""Reads for customers. Every one of them starts from the user's scope."""

from django.db.models import Count, Prefetch, Sum
from django.shortcuts import get_object_or_404

from arrears.models import Bill, Payment
from customers.choices import ServiceStatus
from customers.filtersets import CustomerFilterSet
from core.scope import customer_scope_q
from customers.models import Customer, Device, Line, LineStatusChange, OnboardingCallback, UsageSummary


def customer_list(*, user, filters=None):
    qs = Customer.objects.visible_to(user).select_related("region", "brand", "account_manager__staff_profile")
    return CustomerFilterSet(filters or {}, queryset=qs).qs


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


def customer_360(*, user, pk) -> dict:
    customer = customer_get(user=user, pk=pk)
    lines = list(
        Line.objects.filter(customer=customer).select_related("plan", "enterprise").prefetch_related(
            Prefetch("status_changes", queryset=LineStatusChange.objects.select_related("changed_by"))
        )
    )
    return {
        "customer": customer,
        "lines": lines,
        "status_history": sorted(
            (c for line in lines for c in line.status_changes.all()), key=lambda c: c.changed_at, reverse=True
        )[:20],
        "usage": customer_monthly_usage(customer=customer),
        "bills": list(Bill.objects.filter(customer=customer).select_related("line")[:12]),
        "payments": list(Payment.objects.filter(customer=customer).select_related("line")[:12]),
        "device": Device.objects.filter(customer=customer).first(),
        "related_contacts": list(customer.related_contacts.all()),
        "callbacks": list(customer.callbacks.select_related("assigned_to")),
    }


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
