"""Shared reads: the working-day calendar, loaded once per process and reloaded when an admin changes it; the
staff a user may pick by name."""

import uuid

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from core.choices import Role
from core.models import BatchRun, CalendarDay, SavedFilter
from core.policies import WorkingCalendar
from core.roles import PROVINCE_WIDE_ROLES, SERVICE_ROLES, user_role

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


def working_calendar_invalidate(**_kwargs) -> None:
    """Every process reloads on its next call (connected to CalendarDay's save and delete). Again once the
    change commits: a process that reloaded in between read the table without it."""
    working_calendar_forget()
    transaction.on_commit(working_calendar_forget)


def working_calendar_forget() -> None:
    cache.delete(CALENDAR_VERSION_KEY)
    _memo.clear()


def batch_run_list(*, user):
    """The batch runs (operations: not a customer's, so no scope), newest first as the model orders them."""
    return BatchRun.objects.all()


def saved_filters(*, user, view: str):
    """The user's own saved filters of one list (never another user's), by name."""
    return list(SavedFilter.objects.filter(user=user, view=view).order_by("name")) if user.is_authenticated else []


LOOKUP_LIMIT = 20  # a name picker's suggestions at most


def staff_pickable(*, user):
    """The staff a user may pick by name (a filter's person, an audit's user): active people, never a service
    account; everyone for a province-wide role, the region's staff for a regional manager, the team's for a
    lead, only oneself for an account manager, nobody for anyone else."""
    staff = get_user_model().objects.filter(is_active=True).exclude(groups__name__in=SERVICE_ROLES)
    role = user_role(user)
    profile = getattr(user, "staff_profile", None)
    if role in PROVINCE_WIDE_ROLES or user.is_superuser:
        return staff
    if role == Role.REGIONAL_MANAGER and profile and profile.region_id:
        return staff.filter(staff_profile__region_id=profile.region_id)
    if role == Role.TEAM_LEAD and profile and profile.team_id:
        return staff.filter(staff_profile__team_id=profile.team_id)
    if role == Role.ACCOUNT_MANAGER:
        return staff.filter(pk=user.pk)
    return staff.none()


def staff_lookup(*, user, q: str = "", pk=None, username: str = "") -> list[dict]:
    """At most LOOKUP_LIMIT staff the user may pick whose display name, full name or login name holds `q` (or the
    one with that id or login name, to label a picked value): {id, username, text (the display name), sub}."""
    qs = staff_pickable(user=user).select_related("staff_profile")
    if pk is not None:
        qs = qs.filter(pk=pk)
    elif username:
        qs = qs.filter(username=username)
    elif q:
        qs = qs.filter(Q(staff_profile__display_name__icontains=q) | Q(username__icontains=q)
                       | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    else:
        return []
    found = []
    for person in qs.order_by("username")[:LOOKUP_LIMIT]:
        profile = getattr(person, "staff_profile", None)
        name = getattr(profile, "display_name", "") or person.get_full_name() or person.username
        found.append({"id": person.pk, "username": person.username, "text": name, "sub": person.username})
    return found
