from datetime import date
from decimal import Decimal

from customers.policies import months_ago
from tests.factories import CustomerFactory, LineFactory, UsageSummaryFactory

SCAN_DAY = date(2026, 11, 23)
PERIOD = SCAN_DAY.isoformat()


def with_history(customer=None, *, spend=None, hotline=None, voice=None, data=None, saturation=None, **fields):
    """A customer with one line and 12 monthly usage summaries, oldest first (Nov 2025 … Oct 2026)."""
    customer = customer or CustomerFactory(**fields)
    spends = spend or [100] * 12
    customer.avg_monthly_spend = Decimal(sum(x or 0 for x in spends[-6:])) / 6  # as customers' refresh_spend keeps it
    customer.save(update_fields=["avg_monthly_spend"])
    line = LineFactory(customer=customer)
    month0 = SCAN_DAY.replace(day=1)
    for i in range(12):
        if spends[i] is None:
            continue
        UsageSummaryFactory(
            line=line, month=months_ago(month0, 12 - i),
            bill_amount=Decimal(str(spends[i])), competitor_hotline_calls=(hotline or [0] * 12)[i],
            voice_minutes=(voice or [200] * 12)[i], data_mb=(data or [5000] * 12)[i],
            plan_saturation=Decimal(str((saturation or [50] * 12)[i])),
        )
    return customer


FALLING_3 = [100] * 9 + [90, 80, 70]
HOTLINE_RISING_3 = [0] * 9 + [1, 1, 1]


def open_alert(customer, *, score=70, **fields):
    from django.utils import timezone

    from retention.models import RetentionAlert

    return RetentionAlert.objects.create(customer=customer, account_manager=customer.account_manager,
                                         opened_at=timezone.now(), score=score,
                                         signals={"spend_falling": 3, "competitor_calls": 4}, **fields)
