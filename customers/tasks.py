from celery import shared_task

from core.tasks import dispatch_run, night_of


@shared_task
def refresh_spend_nightly(day: str | None = None) -> int:
    """Nightly: recompute average monthly spend. Scheduled in the database (django-celery-beat)."""
    return dispatch_run("customers.refresh_spend", night_of(day).isoformat()).pk
