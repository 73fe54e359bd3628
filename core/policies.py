"""Shared pure rules. No ORM, no request (unit-tested without a database).

- The working-day calendar. Monday to Friday are working days, Saturday and Sunday are not, except for the days
  the calendar lists: the statutory holidays (节假日, also when they fall on a weekday) and the make-up working
  days (调休上班, usually a weekend day). The list is data (`core.CalendarDay`, edited in admin, loaded by
  `core.selectors.working_calendar`); the functions here take it as an argument so every working-day rule can be
  tested with a hand-made calendar.
- What money and dates from outside (the billing system, API clients, page forms) may be. Messages are translated
  lazily, in the caller's language: the API fields (core.api.fields) and the form fields (core.forms) apply these
  rules with the bounds from settings, so every intake refuses the same things with the same codes and messages.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ONE_DAY = timedelta(days=1)
MAX_SCAN_DAYS = 366  # a calendar without a working day in a year is broken: refuse instead of looping forever
ERR_NO_WORKING_DAY = "No working day within a year of %s: check the working-day calendar."


@dataclass(frozen=True)
class WorkingCalendar:
    """Exceptions to Monday–Friday: {date: is_working_day}, and the name of each listed day."""

    exceptions: dict[date, bool] = field(default_factory=dict)
    names: dict[date, str] = field(default_factory=dict)

    @classmethod
    def from_days(cls, days) -> "WorkingCalendar":
        """From (date, is_working_day, name) rows."""
        exceptions, names = {}, {}
        for day, working, name in days:
            exceptions[day], names[day] = working, name
        return cls(exceptions, names)

    def is_working_day(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def name(self, day: date) -> str:
        return self.names.get(day, "")

    def _scan(self, day: date, step: timedelta) -> date:
        for _step in range(MAX_SCAN_DAYS):
            if self.is_working_day(day):
                return day
            day += step
        raise ValueError(ERR_NO_WORKING_DAY % day)

    def working_day_on_or_after(self, day: date) -> date:
        return self._scan(day, ONE_DAY)

    def working_day_on_or_before(self, day: date) -> date:
        return self._scan(day, -ONE_DAY)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n ≥ 1)."""
        for _step in range(n):
            day = self.working_day_on_or_after(day + ONE_DAY)
        return day


MON_FRI = WorkingCalendar()  # no holidays: what the rules fall back to for a year nobody has entered


# --- money and dates from outside ---------------------------------------------------------------------------

CENT = Decimal("0.01")
# ASCII only: \d would take full-width and other Unicode digits, Decimal() would take them, an exponent, NaN too.
MONEY_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
MONTH_TEXT = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])", re.ASCII)

MONEY_NOT_TEXT = _('An amount is a JSON string, e.g. "88.00": JSON numbers are refused (a binary float cannot '
                  "hold every amount in fen).")
MONEY_FORMAT = _("Not an amount: ASCII digits 0-9 with an optional '.' and at most 2 decimal places (no exponent, "
                 "spaces, separators or full-width digits).")
MONEY_PLACES = _("At most 2 decimal places (fen).")
MONEY_TOO_LARGE = _("At most {maximum} CNY for this operation.")
MONEY_TOO_SMALL = _("At least {minimum} CNY.")
MONTH_FORMAT = _("A month is YYYY-MM in ASCII digits, e.g. 2026-10.")
IN_FUTURE = _("{value} is in the future (our clock is {now}); a reported event has happened already.")
TOO_OLD = _("{value} is before {earliest}: older than {days} days is not taken here.")
TOO_LATE = _("{value} is after {latest}, further ahead than this operation allows.")
TOO_EARLY = _("{value} is before {earliest}.")
BEFORE_JOINED = _("{value} is before the customer joined ({joined}).")

class Refusal(ValueError):
    """A value refused by a rule: `code` names the rule (as in the API's error list), the message says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def pattern_digits(maximum: Decimal) -> int:
    """How many integer digits an amount up to `maximum` has (the schema's pattern says so)."""
    return len(str(int(maximum)))


def money_pattern(maximum: Decimal, *, signed: bool) -> str:
    """The regular expression of an amount's text, for the schema (the parser below says which rule failed)."""
    return rf"^{'-?' if signed else ''}[0-9]{{1,{pattern_digits(maximum)}}}(\.[0-9]{{1,2}})?$"


def parse_money(value, *, minimum: Decimal, maximum: Decimal) -> Decimal:
    """The amount in `value` (text only), to the fen, within [minimum, maximum]; else Refusal."""
    if not isinstance(value, str):
        raise Refusal("not_a_string", MONEY_NOT_TEXT)
    if not MONEY_TEXT.fullmatch(value):
        raise Refusal("invalid", MONEY_FORMAT)
    if len(value.partition(".")[2]) > 2:
        raise Refusal("max_decimal_places", MONEY_PLACES)
    if len(value.lstrip("-").partition(".")[0].lstrip("0")) > 30:  # out of any range: not worth converting
        amount = Decimal("-1e30") if value.startswith("-") else Decimal("1e30")
    else:
        amount = Decimal(value)
    if amount > maximum:
        raise Refusal("max_value", MONEY_TOO_LARGE.format(maximum=maximum))
    if amount < minimum:
        raise Refusal("min_value", MONEY_TOO_SMALL.format(minimum=minimum))
    return amount.quantize(CENT)


def parse_month(value) -> date:
    """The first day of the month in "YYYY-MM"; else Refusal."""
    match = MONTH_TEXT.fullmatch(value) if isinstance(value, str) else None
    if not match or match[1] == "0000":  # there is no year 0
        raise Refusal("invalid", MONTH_FORMAT)
    return date(int(match[1]), int(match[2]), 1)


def moment_refusal(value: datetime, *, now: datetime, max_age_days: int, skew_seconds: int) -> Refusal | None:
    """A reported event (a payment, a status change): not ahead of our clock by more than the skew, not older
    than the intake takes."""
    if value > now + timedelta(seconds=skew_seconds):
        return Refusal("future", IN_FUTURE.format(value=value.isoformat(), now=now.isoformat(timespec="seconds")))
    earliest = now - timedelta(days=max_age_days)
    if value < earliest:
        return Refusal("too_old", TOO_OLD.format(value=value.isoformat(), earliest=earliest.date(),
                                                 days=max_age_days))
    return None


def day_refusal(value: date, *, earliest: date | None, latest: date | None, max_age_days: int | None = None,
                future_code: str = "too_late") -> Refusal | None:
    """A day within [earliest, latest] (either open). `max_age_days` names the age limit in the message when
    `earliest` is the oldest the intake takes; `future_code` is "future" for a day that must have happened."""
    if latest is not None and value > latest:
        message = IN_FUTURE if future_code == "future" else TOO_LATE
        return Refusal(future_code, message.format(value=value, latest=latest, now=latest))
    if earliest is not None and value < earliest:
        if max_age_days is not None:
            return Refusal("too_old", TOO_OLD.format(value=value, earliest=earliest, days=max_age_days))
        return Refusal("too_early", TOO_EARLY.format(value=value, earliest=earliest))
    return None


def joined_refusal(day: date, *, joined: date | None, month: bool = False) -> Refusal | None:
    """An event of a customer's cannot predate their joining (a month: not before the month they joined)."""
    if joined is None:
        return None
    if day < (joined.replace(day=1) if month else joined):
        return Refusal("before_joined", BEFORE_JOINED.format(value=f"{day:%Y-%m}" if month else day, joined=joined))
    return None


# A day entered by staff (a line's activation): a few days' late entry, a sender's clock a little ahead.
WINDOW_TOO_OLD, WINDOW_FUTURE = "too_old", "future"


def date_window_error(value: date, *, now: datetime, past_days: int, skew: timedelta) -> str | None:
    """WINDOW_TOO_OLD if `value` lies more than `past_days` before today, WINDOW_FUTURE if after the day the clock of a
    sender up to `skew` ahead of ours may already show, else None. Days are local (Asia/Shanghai)."""
    today = timezone.localtime(now).date()
    if value < today - timedelta(days=past_days):
        return WINDOW_TOO_OLD
    if value > timezone.localtime(now + skew).date():
        return WINDOW_FUTURE
    return None
