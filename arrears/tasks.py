from datetime import timedelta

from celery import shared_task

from arrears.evaluation import EVALUATE_KIND
from arrears.report_facts import REPORT_FACTS_KIND, forget_old_facts
from arrears.value import DECILE_KIND, VALUE_KIND
from core.choices import BatchStatus
from core.models import BatchRun
from core.tasks import dispatch_run, dispatch_with_catch_up, night_of


@shared_task
def evaluate_nightly(day: str | None = None) -> int:
    """Scheduled 00:30 daily (django-celery-beat, editable in admin): late fees, then the barring policy; after an
    outage, first a run for every night missed since the last done one, oldest first."""
    return dispatch_with_catch_up(EVALUATE_KIND, night_of(day))[-1].pk


# On the 1st the ratings wait for the value model (credit.tasks); how long the deciles wait for the values.
VALUE_WAIT_SECONDS = 300
VALUE_WAIT_TRIES = 36  # 3 hours


@shared_task
def customer_value_monthly(day: str | None = None) -> int:
    """Scheduled the 1st of each month at 00:40: the month just ended's customer values (then, at 01:40,
    `customer_value_deciles_monthly` ranks them once every chunk is done)."""
    return dispatch_run(VALUE_KIND, f"{_previous_month(night_of(day)):%Y-%m}").pk


@shared_task(bind=True, max_retries=VALUE_WAIT_TRIES)
def customer_value_deciles_monthly(self, day: str | None = None) -> int | None:
    """The deciles of the month just ended, once its value run is done (a rank over the whole month): until then
    the task retries every 5 minutes (the clock times alone do not order them: a long value run, an outage);
    after 3 hours without values it gives up (None) and the ratings read the value as unknown."""
    period = f"{_previous_month(night_of(day)):%Y-%m}"
    if not BatchRun.objects.filter(kind=VALUE_KIND, period=period, status=BatchStatus.DONE).exists():
        if self.request.retries >= VALUE_WAIT_TRIES:
            return None
        raise self.retry(countdown=VALUE_WAIT_SECONDS)
    return dispatch_run(DECILE_KIND, period).pk


def _previous_month(day):
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


@shared_task
def report_facts_nightly(day: str | None = None) -> int:
    """Scheduled 05:45 daily, after the evaluation, the rating and the star snapshot: the arrears report's and
    the campaign risk assessment's figures of the night (arrears.report_facts)."""
    night = night_of(day)
    forget_old_facts(night)
    return dispatch_run(REPORT_FACTS_KIND, night.isoformat()).pk
