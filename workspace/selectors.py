"""Reads that compose several apps for the workspace pages (the customer 360)."""

from django.db.models import Prefetch

from arrears.models import Bill, Payment
from arrears.value import customer_value_latest
from customers import selectors as customer_selectors
from customers.models import Line, LineStatusChange


def customer_360(*, user, pk) -> dict:
    customer = customer_selectors.customer_get(user=user, pk=pk)
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
        "usage": customer_selectors.customer_monthly_usage(customer=customer),
        "bills": list(Bill.objects.filter(customer=customer).select_related("line")[:12]),
        "payments": list(Payment.objects.filter(customer=customer).select_related("line")[:12]),
        # device, contract, services, payment method, care, call quality
        **customer_selectors.customer_inputs(customer=customer),
        "related_contacts": list(customer.related_contacts.all()),
        "callbacks": list(customer.callbacks.select_related("assigned_to")),
        "customer_value": customer_value_latest(customer=customer),
    }
