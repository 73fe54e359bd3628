"""The nightly scan's windows: the scan date's months and days its statements (retention.sql.signals) read."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from customers.policies import months_ago
from retention import policies
from retention.sql.signals import MONTHS

# ~1 s per 50k customers with their 12 months of usage (same shape as the credit rating chunks).
SCAN_CHUNK = 50_000
DEVICE_WINDOW_DAYS = 183
COMPLAINT_WINDOW_DAYS = 90


def window_params(today: date, *, cooldown_days: int) -> dict:
    month0 = today.replace(day=1)
    return {"today": today, "month0": month0, **{f"m{k}": months_ago(month0, k) for k in range(1, MONTHS + 1)},
            "device_since": today - timedelta(days=DEVICE_WINDOW_DAYS),
            "scan_start": timezone.make_aware(datetime.combine(today, time.min)),
            "complaints_since": timezone.make_aware(datetime.combine(today - timedelta(days=COMPLAINT_WINDOW_DAYS),
                                                                     time.min)),
            "explored_since": months_ago(today, policies.EXPLORATION_MONTHS),
            "formed_since": months_ago(today, policies.FORMATION_MONTHS),
            "cooldown_since": timezone.make_aware(datetime.combine(today - timedelta(days=cooldown_days), time.min)),
            "now": timezone.now()}
