"""Vectorised calendar arithmetic on numpy datetime64[D] arrays."""

from datetime import date

import numpy as np

DAY = np.timedelta64(1, "D")
PG_EPOCH = np.datetime64("2000-01-01", "D")
SHANGHAI_OFFSET = np.timedelta64(8 * 3600, "s")


def d64(value: date) -> np.datetime64:
    return np.datetime64(value, "D")


def month_index(d) -> np.ndarray:
    """Months since 1970-01 for each date."""
    return np.asarray(d, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(mi) -> np.ndarray:
    return np.asarray(mi, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]")


def ymd(d) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = np.asarray(d, dtype="datetime64[D]")
    m = d.astype("datetime64[M]")
    years = m.astype("datetime64[Y]").astype(np.int64) + 1970
    months = m.astype(np.int64) % 12 + 1
    days = (d - m.astype("datetime64[D]")).astype(np.int64) + 1
    return years, months, days


def tenure_months(join, today: date) -> np.ndarray:
    """Vectorised customers.policies.tenure_months."""
    y, m, d = ymd(join)
    months = (today.year - y) * 12 + today.month - m - (today.day < d)
    return np.maximum(months, 0)


def local_to_utc(day, seconds) -> np.ndarray:
    """Asia/Shanghai wall-clock (date + seconds after midnight) to UTC datetime64[s]."""
    return (np.asarray(day, dtype="datetime64[D]").astype("datetime64[s]")
            + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]") - SHANGHAI_OFFSET)
