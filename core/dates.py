"""Pure date rules shared by the apps (no ORM, no request)."""

from datetime import date, datetime, timedelta

from django.utils import timezone

TOO_OLD, FUTURE = "too_old", "future"


def date_window_error(value: date, *, now: datetime, past_days: int, skew: timedelta) -> str | None:
    """TOO_OLD if `value` lies more than `past_days` before today, FUTURE if after the day the clock of a
    sender up to `skew` ahead of ours may already show, else None. Days are local (Asia/Shanghai)."""
    today = timezone.localtime(now).date()
    if value < today - timedelta(days=past_days):
        return TOO_OLD
    if value > timezone.localtime(now + skew).date():
        return FUTURE
    return None
