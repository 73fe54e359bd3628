"""Inputs through the product's intake (bills, payments, usage, ratings from legacy grades, tasks, campaigns) and
its own nightly jobs (arrears evaluation, churn scan); nothing derived is written by a fixture."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from arrears.services import bill_record
from arrears.tasks import evaluate_nightly

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = date(2026, 11, 24)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def bill(line, *, due_days_ago: int, amount="100.00"):
    """A bill posted 20 days before its due date, `due_days_ago` days before NIGHT, never paid."""
    due = NIGHT - timedelta(days=due_days_ago)
    with freeze_time(at(due - timedelta(days=20))):
        bill_record(line=line, period=due.replace(day=1), amount=Decimal(amount), due_date=due)


def nightly():
    with freeze_time(at(NIGHT, 0).replace(minute=30)):
        evaluate_nightly(NIGHT.isoformat())
