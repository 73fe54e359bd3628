import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.tasks import dispatch_run, night_of
from credit.batches import BASE_KIND, GUIDANCE_KIND, period_anchor
from credit.features import value_under_way
from credit.four_eyes import four_eyes_expire
from credit.impact import impact_preview, stability_record
from credit.models import ScoringModel
from credit.report_facts import REPORT_FACTS_KIND, old_facts_forget
from credit.runs import base_under_way, rating_run_start
from credit.services import star_snapshot_take
from credit.selectors import scoring_model_published
from credit.touchpoints import outbox_dispatch

logger = logging.getLogger(__name__)


def current_period(kind: str, today=None) -> str:
    today = today or timezone.localdate()
    if kind == BASE_KIND:
        return f"{today:%Y-%m}"
    return f"{today.year}-H{1 if today.month <= 6 else 2}"


# The ratings of the 1st read this night's value deciles (credit.features.expected_value_month): while that month's
# value or decile run is planned but not done they retry every 5 minutes (clock times alone do not order them);
# after 3 hours they rate with the value unknown (0 points, no value rule, `value_month` null on every rating).
VALUE_WAIT_SECONDS = 300
VALUE_WAIT_TRIES = 36


def _wait_for_value(task, kind: str, period: str, night) -> None:
    """... and the guidance also waits for the base run of its night's month (it re-rates what the base run rated;
    on 1 January and 1 July the same night's)."""
    waiting = value_under_way(period_anchor(period)) or kind == "guidance" and base_under_way(night)
    if waiting and task.request.retries < VALUE_WAIT_TRIES:
        raise task.retry(countdown=VALUE_WAIT_SECONDS)
    if waiting:
        logger.warning("%s rating of %s: the value deciles or the base run are still not done; rating now",
                       kind, period)


@shared_task(bind=True, max_retries=VALUE_WAIT_TRIES)
def rate_base_monthly(self, day: str | None = None) -> int:
    """Scheduled for the 1st of each month, 02:00 (django-celery-beat, editable in admin); once per period."""
    night = night_of(day)
    period = current_period(BASE_KIND, night)
    _wait_for_value(self, "base", period, night)
    return rating_run_start(kind="base", period=period).run.pk


@shared_task(bind=True, max_retries=VALUE_WAIT_TRIES)
def rate_guidance_half_yearly(self, day: str | None = None) -> int:
    """Scheduled for 1 January and 1 July, 03:00; once per period."""
    night = night_of(day)
    period = current_period(GUIDANCE_KIND, night)
    _wait_for_value(self, "guidance", period, night)
    return rating_run_start(kind="guidance", period=period).run.pk


@shared_task
def star_snapshot_daily(day: str | None = None) -> int:
    return star_snapshot_take(day=night_of(day))


@shared_task
def report_facts_nightly(day: str | None = None) -> int:
    """Scheduled 05:35 daily, after the status refresh, the ratings and the star snapshot: the credit report's
    star counts of the night for the province and each region (credit.report_facts)."""
    night = night_of(day)
    old_facts_forget(night)
    return dispatch_run(REPORT_FACTS_KIND, night.isoformat()).pk


@shared_task(acks_late=True)
def sms_dispatch() -> int:
    return outbox_dispatch()


def on_sms_queued(**kwargs):
    """Touchpoint SMS were queued (credit.signals.sms_queued, after commit): send them soon."""
    sms_dispatch.delay()


@shared_task
def four_eyes_expire_hourly() -> int:
    """Expire pending four-eyes requests past their expiry (an expired one can no longer be approved anyway)."""
    return four_eyes_expire()


@shared_task
def impact_preview_run(model_id: int, user_id: int | None = None) -> int:
    """A draft's impact preview on request (the model page's button)."""
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return impact_preview(model=ScoringModel.objects.get(pk=model_id), by=by).pk


@shared_task
def challenger_shadow_nightly(day: str | None = None) -> int | None:
    """Score the challenger in shadow: its impact preview against today's stars (compared on its page)."""
    model = ScoringModel.objects.filter(challenger=True).first()
    return impact_preview(model=model, today=night_of(day)).pk if model else None


@shared_task
def model_stability_monthly(day: str | None = None) -> int:
    """PSI of the published model's score and factors for the month (scheduled on the 1st, 04:00)."""
    model = scoring_model_published()
    return len(stability_record(model=model, month=night_of(day))) if model else 0
