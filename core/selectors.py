"""Shared reads: the working-day calendar, loaded once per process and reloaded when an admin changes it."""

import uuid

from django.core.cache import cache
from django.db import transaction

from core.models import BatchRun, CalendarDay, SavedFilter
from core.policies import WorkingCalendar

CALENDAR_VERSION_KEY = "core:working-calendar:version"
_memo: dict = {}  # {"version": token, "calendar": WorkingCalendar} of this process


def working_calendar() -> WorkingCalendar:
    """The calendar every working-day rule uses. Each process keeps its copy while the version token in the
    shared cache is unchanged (one cache read per call, a few dozen rows to load after a change); with the
    cache down every call reads the table, which is still right."""
    version = cache.get(CALENDAR_VERSION_KEY)
    if version is not None and _memo.get("version") == version:
        return _memo["calendar"]
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(CALENDAR_VERSION_KEY, version, timeout=None):  # another process set one meanwhile
            version = cache.get(CALENDAR_VERSION_KEY) or version
    calendar = WorkingCalendar.from_days(CalendarDay.objects.values_list("date", "is_working_day", "name"))
    _memo.update(version=version, calendar=calendar)
    return calendar


def invalidate_working_calendar(**_kwargs) -> None:
    """Every process reloads on its next call (connected to CalendarDay's save and delete). Again once the
    change commits: a process that reloaded in between read the table without it."""
    forget_working_calendar()
    transaction.on_commit(forget_working_calendar)


def forget_working_calendar() -> None:
    cache.delete(CALENDAR_VERSION_KEY)
    _memo.clear()


def batch_run_list(*, user):
    """The batch runs (operations: not a customer's, so no scope), newest first as the model orders them."""
    return BatchRun.objects.all()


def saved_filters(*, user, view: str):
    """The user's own saved filters of one list (never another user's), by name."""
    return list(SavedFilter.objects.filter(user=user, view=view).order_by("name")) if user.is_authenticated else []
