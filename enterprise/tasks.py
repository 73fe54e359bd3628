from celery import shared_task

from core import batches
from core.selectors import working_calendar
from core.tasks import dispatch_run, night_of
from enterprise import policies, services
from enterprise.batches import SEGMENT_KIND
from enterprise.snapshots import SNAPSHOT_KIND, previous_month


@shared_task
def segment_nightly(day: str | None = None) -> int:
    """Scheduled nightly at 02:00 (django-celery-beat, editable in admin); period = today's date.
    Also opens the service-day report records that fall due (weekly, monthly)."""
    today = night_of(day)
    services.service_day_reports_ensure(today=today)
    return dispatch_run(SEGMENT_KIND, today.isoformat()).pk


@shared_task
def collect_service_days(day: str | None = None) -> int | None:
    """Scheduled daily at 09:00; collects on Tuesdays and Thursdays that are working days, and on the first
    working day after a Tuesday or Thursday off: the orders submitted since the last collection."""
    today = night_of(day)
    if not policies.is_collection_day(today, calendar=working_calendar()):
        return None
    return services.service_days_collect(today=today).order_count


@shared_task
def snapshot_monthly(day: str | None = None) -> int:
    """Scheduled the 1st of each month at 01:00: derive the month just ended's snapshots from the inputs, and
    first every month an outage skipped since the last done one, oldest first."""
    month = previous_month(night_of(day))
    return [dispatch_run(SNAPSHOT_KIND, period) for period in batches.missed_months(SNAPSHOT_KIND, month)][-1].pk
