"""Signals the customers app sends so the apps above it (credit, arrears, retention) act on its facts
without customers importing them (layers point one way: core < customers < credit/arrears < ...)."""

from django.dispatch import Signal

# Sent inside the closing transaction when customers' last open line closed (billing's cancellation, the
# nightly arrears closure, an admin): customer_ids (list[int]), on (date), reason (str), by (user or None).
customers_closed = Signal()
# Sent when a closed customer's line is reactivated within the policy window: customer_ids, on, reason, by.
customers_reopened = Signal()
