"""The windows a rating reads (the compiled model and guidance rules are SQL: credit.sql.scoring)."""

from datetime import date
from decimal import Decimal

from credit.features import value_month
from customers.policies import months_ago


def window_params(today: date, *, run=None) -> dict:
    """The windows the factors read; within a rating `run`, the value month as of the run's start (every chunk
    alike, a decile run finishing meanwhile notwithstanding)."""
    return {"today": today, "since3": months_ago(today, 3), "since6": months_ago(today, 6),
            "since12": months_ago(today, 12),
            "value_month": value_month(today, finished_before=run.started_at if run is not None else None)}


def zero(value) -> Decimal:
    return Decimal(value or 0)
