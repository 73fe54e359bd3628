"""Shared pure rules: the working-day calendar. No ORM, no request (unit-tested without a database).

Monday to Friday are working days, Saturday and Sunday are not, except for the days the calendar lists: the
statutory holidays (节假日, also when they fall on a weekday) and the make-up working days (调休上班, usually a
weekend day). The list is data (`core.CalendarDay`, edited in admin, loaded by `core.selectors.working_calendar`);
the functions here take it as an argument so every working-day rule can be tested with a hand-made calendar.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

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
        for _ in range(MAX_SCAN_DAYS):
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
        for _ in range(n):
            day = self.working_day_on_or_after(day + ONE_DAY)
        return day


MON_FRI = WorkingCalendar()  # no holidays: what the rules fall back to for a year nobody has entered
