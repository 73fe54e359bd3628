"""Marketing's raw SQL: the nightly usage facts campaign segments read (plan saturation of the window before the
run's day: %(first)s to %(end)s come from the run's period, never now())."""

from core.sql import table
from customers.models import UsageSummary
from marketing.models import UsageFacts

FACTS, USAGE = table(UsageFacts), table(UsageSummary)

# Plan saturation of the 3 complete months before the run's day, for customers with id in [lo, hi).
FACTS_UPSERT_SQL = f"""
INSERT INTO {FACTS} (customer_id, plan_saturation, window_end)
SELECT customer_id, round(avg(plan_saturation), 2), %(end)s FROM {USAGE}
WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month >= %(first)s AND month < %(end)s
GROUP BY customer_id
ON CONFLICT (customer_id) DO UPDATE
    SET plan_saturation = EXCLUDED.plan_saturation, window_end = EXCLUDED.window_end
    WHERE ({FACTS}.plan_saturation, {FACTS}.window_end)
          IS DISTINCT FROM (EXCLUDED.plan_saturation, EXCLUDED.window_end)"""

# Customers without usage in the window have no saturation.
FACTS_STALE_DELETE_SQL = f"""
DELETE FROM {FACTS}
WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND window_end <> %(end)s"""
