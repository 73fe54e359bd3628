import logging

from celery import shared_task

from arrears.evaluation import EVALUATE_KIND
from arrears.report_facts import REPORT_FACTS_KIND, old_facts_forget
from arrears.value import DECILE_KIND, VALUE_KIND, month_billed
from core.choices import BatchStatus
from core.models import BatchRun
from core.tasks import dispatch_run, dispatch_with_catch_up, night_of
from credit.features import expected_value_month

logger = logging.getLogger(__name__)


@shared_task
def evaluate_nightly(day: str | None = None) -> int:
    """Scheduled 00:30 daily (django-celery-beat, editable in admin): late fees, then the barring policy; after an
    outage, first a run for every night missed since the last done one, oldest first."""
    return dispatch_with_catch_up(EVALUATE_KIND, night_of(day))[-1].pk


# On the 1st the ratings wait for the value model (credit.tasks); how long the deciles wait for the values.
VALUE_WAIT_SECONDS = 300
VALUE_WAIT_TRIES = 36  # 3 hours


def _value_period(day: str | None) -> str:
    return f"{expected_value_month(night_of(day)):%Y-%m}"


@shared_task
def customer_value_monthly(day: str | None = None) -> int | None:
    """Scheduled the 1st of each month at 00:40: the values of the latest month whose bills are complete (the month
    before the one just ended, whose bills billing sends later that day: credit.features.expected_value_month), then,
    at 01:40, `customer_value_deciles_monthly` ranks them once every chunk is done. A month without any bill is
    unknown, not zero: no run is planned (None), so nothing reads it as valued, and a later night can still value
    it once its bills are in."""
    period = _value_period(day)
    if not month_billed(period):
        logger.warning("customer value of %s: no bills for that month; not valued (unknown)", period)
        return None
    return dispatch_run(VALUE_KIND, period).pk


@shared_task(bind=True, max_retries=VALUE_WAIT_TRIES)
def customer_value_deciles_monthly(self, day: str | None = None) -> int | None:
    """The deciles of the month the value job valued, once its value run is done (the cut points are taken over
    the whole month): until then the task retries every 5 minutes (the clock times alone do not order them: a
    long value run, an outage); after 3 hours without values it gives up (None) and the ratings read the value as
    unknown. A month without bills is not valued at all: nothing to wait for (None)."""
    period = _value_period(day)
    if not BatchRun.objects.filter(kind=VALUE_KIND, period=period, status=BatchStatus.DONE).exists():
        if self.request.retries >= VALUE_WAIT_TRIES or not month_billed(period):
            return None
        raise self.retry(countdown=VALUE_WAIT_SECONDS)
    return dispatch_run(DECILE_KIND, period).pk


@shared_task
def report_facts_nightly(day: str | None = None) -> int:
    """Scheduled 05:45 daily, after the evaluation, the rating and the star snapshot: the arrears report's and
    the campaign risk assessment's figures of the night (arrears.report_facts)."""
    night = night_of(day)
    old_facts_forget(night)
    return dispatch_run(REPORT_FACTS_KIND, night.isoformat()).pk
