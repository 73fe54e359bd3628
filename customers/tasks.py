from celery import shared_task

from core.tasks import dispatch_run, night_of


@shared_task
def refresh_spend_nightly(day: str | None = None) -> int:
    """Nightly: recompute average monthly spend. Scheduled in the database (django-celery-beat)."""
    return dispatch_run("customers.refresh_spend", night_of(day).isoformat()).pk


@shared_task
def refresh_status_nightly(day: str | None = None) -> int:
    """Nightly 00:45, after the arrears evaluation: every customer's status re-derived from their lines, set-based
    (customers.status). Each path that changes a line keeps its customer in step; this re-derives the rest (a load,
    a wipe, a change made outside the product's services)."""
    return dispatch_run("customers.status", night_of(day).isoformat()).pk
