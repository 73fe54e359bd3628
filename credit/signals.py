"""Signals credit's services send so its entry points (tasks) act on them without the services importing the
tasks: tasks import services, never the other way (that loop hid credit.batches → services → touchpoints →
tasks → batches)."""

from django.dispatch import Signal

# Sent after the transaction that queued touchpoint SMS committed: the outbox has due messages.
sms_queued = Signal()
