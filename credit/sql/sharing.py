"""Shared credit (credit.sharing) as SQL: the net of the shares active at a moment, per customer."""

from credit.choices import ExtendedService, RequestStatus

# Net shared credit per customer (received − given) of the shares active at {now} (an SQL expression).
ACTIVE_SHARES_SQL = f"""
    SELECT customer_id, sum(delta) AS net FROM (
        SELECT r.receiver_id AS customer_id, r.amount AS delta FROM credit_extendedservicerequest r
        WHERE r.service = '{ExtendedService.CREDIT_SHARING}' AND r.status = '{RequestStatus.APPROVED}'
          AND coalesce(r.effective_at, r.created_at) <= {{now}} AND (r.valid_until IS NULL OR r.valid_until > {{now}})
        UNION ALL
        SELECT r.giver_id, -r.amount FROM credit_extendedservicerequest r
        WHERE r.service = '{ExtendedService.CREDIT_SHARING}' AND r.status = '{RequestStatus.APPROVED}'
          AND coalesce(r.effective_at, r.created_at) <= {{now}} AND (r.valid_until IS NULL OR r.valid_until > {{now}})
    ) s GROUP BY customer_id"""


def active_shares_sql(now: str = "now()") -> str:
    return ACTIVE_SHARES_SQL.format(now=now)
