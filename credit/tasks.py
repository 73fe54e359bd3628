from celery import shared_task
from django.utils import timezone

from core.tasks import night_of
from credit.batches import BASE_KIND, GUIDANCE_KIND


def current_period(kind: str, today=None) -> str:
    today = today or timezone.localdate()
    if kind == BASE_KIND:
        return f"{today:%Y-%m}"
    return f"{today.year}-H{1 if today.month <= 6 else 2}"


@shared_task
def rate_base_monthly(day: str | None = None) -> int:
    """Scheduled for the 1st of each month, 02:00 (django-celery-beat, editable in admin); once per period."""
    from credit.runs import rating_run_start

    return rating_run_start(kind="base", period=current_period(BASE_KIND, night_of(day))).run.pk


@shared_task
def rate_guidance_half_yearly(day: str | None = None) -> int:
    """Scheduled for 1 January and 1 July, 03:00; once per period."""
    from credit.runs import rating_run_start

    return rating_run_start(kind="guidance", period=current_period(GUIDANCE_KIND, night_of(day))).run.pk


@shared_task
def star_snapshot_daily(day: str | None = None) -> int:
    from credit.services import star_snapshot_take

    return star_snapshot_take(day=night_of(day))


@shared_task(acks_late=True)
def sms_dispatch() -> int:
    from credit.touchpoints import dispatch

    return dispatch()


@shared_task
def four_eyes_expire_hourly() -> int:
    """Expire pending four-eyes requests past their expiry (an expired one can no longer be approved anyway)."""
    from credit.four_eyes import four_eyes_expire

    return four_eyes_expire()
