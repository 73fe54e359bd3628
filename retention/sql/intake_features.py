"""Churn features from the intake of care contacts, call quality, contracts, services held and payment method
(#13: customers.models_inputs). Each source names the models it reads; `retention.features.sources` leaves out
those whose app is not installed. Every value is as of the scan date: contacts before it, the contract, services
and payment method in force on it.
"""

from customers.choices import HeldServiceCode, PaymentMethodCode
from retention.feature_source import Source

RANGE = "customer_id >= %(lo)s AND customer_id < %(hi)s"


def _care():
    return Source("care", f"""
        SELECT customer_id,
               count(*) FILTER (WHERE contacted_at >= %(scan_at)s - interval '90 days') AS n90,
               count(*) FILTER (WHERE kind = 'complaint' AND contacted_at >= %(scan_at)s - interval '180 days')
                   AS complaints,
               count(*) FILTER (WHERE kind = 'retention_call' AND contacted_at >= %(scan_at)s - interval '180 days')
                   AS retention_calls
        FROM customers_carecontact WHERE {RANGE} AND contacted_at < %(scan_at)s GROUP BY customer_id""", {
        "care_contacts_90d": ("coalesce(care.n90, 0)", "近90天客服接触次数"),
        "complaints_180d": ("coalesce(care.complaints, 0)", "近180天投诉次数"),
        "retention_calls_180d": ("coalesce(care.retention_calls, 0)", "近180天致电挽留团队次数"),
    }, needs=("customers.CareContact",))


def _quality():
    return Source("cq", f"""
        SELECT customer_id, avg(dropped_calls + blocked_calls) AS failed, avg(overage_minutes) AS overage
        FROM customers_callquality WHERE {RANGE} AND month >= %(m3)s AND month < %(month0)s
        GROUP BY customer_id""", {
        "failed_calls_3m": ("cq.failed", "近3个月月均掉话及未接通次数"),
        "overage_minutes_3m": ("cq.overage", "近3个月月均超套餐分钟数"),
    }, needs=("customers.CallQuality",))


def _contract():
    return Source("ct", f"""
        SELECT DISTINCT ON (customer_id) customer_id, kind, ends_on, early_exit_fee
        FROM customers_contract
        WHERE {RANGE} AND starts_on <= %(scan)s AND (ends_on IS NULL OR ends_on >= %(scan)s)
        ORDER BY customer_id, starts_on DESC""", {
        "contract_months_left": ("CASE WHEN ct.kind IS NULL THEN NULL WHEN ct.ends_on IS NULL THEN 0"
                                 " ELSE (ct.ends_on - %(scan)s::date) / 30.44 END", "合约剩余月数"),
        "month_to_month": ("CASE WHEN ct.kind IS NOT NULL THEN (ct.kind = 'month_to_month')::int END", "无合约(按月)"),
        "early_exit_fee": ("ct.early_exit_fee", "提前解约费(元)"),
    }, needs=("customers.Contract",))


def _services():
    flags = {f"held_{code.value}": (f"coalesce((hs.codes @> ARRAY['{code.value}']::varchar[])::int, 0)",
                                    f"已订:{code.label}") for code in HeldServiceCode}
    return Source("hs", f"""
        SELECT customer_id, count(DISTINCT code) AS n, array_agg(DISTINCT code)::varchar[] AS codes
        FROM customers_heldservice
        WHERE {RANGE} AND started_on <= %(scan)s AND (ended_on IS NULL OR ended_on > %(scan)s)
        GROUP BY customer_id""", {"services_held": ("coalesce(hs.n, 0)", "已订附加业务数"), **flags},
                  needs=("customers.HeldService",))


def _payment():
    methods = {f"pays_{code.value}": (f"CASE WHEN pm.method IS NOT NULL THEN (pm.method = '{code.value}')::int END",
                                      f"缴费方式:{code.label}") for code in PaymentMethodCode}
    return Source("pm", f"""
        SELECT DISTINCT ON (customer_id) customer_id, method, auto_pay
        FROM customers_paymentmethodrecord WHERE {RANGE} AND since <= %(scan)s
        ORDER BY customer_id, since DESC""", {"auto_pay": ("pm.auto_pay::int", "自动缴费"), **methods},
                  needs=("customers.PaymentMethodRecord",))


def sources() -> list[Source]:
    return [_care(), _quality(), _contract(), _services(), _payment()]


# SQL removing the intake's facts dated on or after the scan date (see `features.after_scan_probe`).
AFTER_SCAN: list[str] = [
    "DELETE FROM customers_carecontact WHERE customer_id = ANY(%(ids)s) AND contacted_at >= %(scan_at)s",
    "DELETE FROM customers_callquality WHERE customer_id = ANY(%(ids)s) AND month >= %(month0)s",
    "DELETE FROM customers_contract WHERE customer_id = ANY(%(ids)s) AND starts_on > %(scan)s",
    "DELETE FROM customers_heldservice WHERE customer_id = ANY(%(ids)s) AND started_on > %(scan)s",
    "UPDATE customers_heldservice SET ended_on = NULL WHERE customer_id = ANY(%(ids)s) AND ended_on > %(scan)s",
    "DELETE FROM customers_paymentmethodrecord WHERE customer_id = ANY(%(ids)s) AND since > %(scan)s",
]
