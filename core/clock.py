"""The business clock: when a decision is made, as the product records it.

In production it is the wall clock (`timezone.now()`, the operator's local date: Asia/Shanghai). A replay of
history (customers/demo/replay.py) posts each input under `as_of(<the moment it arrived>)`, so every decision and
row the intake writes (barring and decision events, line status logs, ledger entries, accounts opened, SMS) is dated
in the replayed history, not on the day the replay ran. The override is context-local (contextvars): a request or a
task running meanwhile in another thread or context still reads the wall clock.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import timezone

_moment: ContextVar[datetime | None] = ContextVar("core_clock_moment", default=None)


def now() -> datetime:
    """The business moment: the override of `as_of` when set, else the wall clock (aware, UTC)."""
    moment = _moment.get()
    return timezone.now() if moment is None else moment


def today() -> date:
    """The business date in the operator's zone (settings.TIME_ZONE, Asia/Shanghai) of `now()`."""
    moment = _moment.get()
    return timezone.localdate() if moment is None else timezone.localdate(moment)


def overridden() -> bool:
    return _moment.get() is not None


@contextmanager
def as_of(moment: datetime):
    """Within the block, `now()` is `moment` (aware) and `today()` its local date; restored on exit."""
    if timezone.is_naive(moment):
        raise ValueError("as_of needs an aware datetime")
    token = _moment.set(moment)
    try:
        yield moment
    finally:
        _moment.reset(token)
