"""Lines (subscriptions) of a chunk of customers: number, plan, activation, enterprise membership, as onboarding
opens them (status active). `closed_on` is when the line's inputs end: billing's cancellation (`cancelled`) or,
for a customer who stopped paying, about when billing stops billing it; the product closes it itself."""

from dataclasses import dataclass
from datetime import date

import numpy as np

from customers.demo import dates, identity
from customers.demo.dates import DAY
from customers.demo.encode import Nullable
from customers.demo.people import CLOSED, CLOSED_ARREARS, Customers

LINES_PER_CUSTOMER = ((1, 0.87), (2, 0.11), (3, 0.02))  # mean 1.15
ENTERPRISE_SHARE = 0.03
SECONDARY_CLOSED_SHARE = 0.06


@dataclass
class Lines:
    ids: np.ndarray
    n: int
    customer: np.ndarray  # position in the chunk's customers
    plan_slot: np.ndarray
    brand: np.ndarray
    activated: np.ndarray
    closed_on: np.ndarray  # NaT when open: the last day of the line's inputs
    cancelled: np.ndarray  # billing posts a cancellation on closed_on
    level: np.ndarray  # typical monthly spend, CNY
    msisdn: np.ndarray  # 'S11'
    cols: dict


def make_lines(rng, org, c: Customers, today: date, first_id: int, msisdns: identity.MsisdnMaker) -> Lines:
    T = np.datetime64(today, "D")
    per_customer = rng.choice([k for k, _ in LINES_PER_CUSTOMER], size=c.n, p=[p for _, p in LINES_PER_CUSTOMER])
    cust = np.repeat(np.arange(c.n), per_customer)
    n = len(cust)
    starts = np.concatenate([[0], np.cumsum(per_customer)[:-1]])
    primary = np.arange(n) == starts[cust]
    customer_closed = np.isin(c.situation, [CLOSED, CLOSED_ARREARS])
    end = np.where(customer_closed, c.closed_on, T)[cust]
    join = c.join[cust]
    span = np.maximum((end - join).astype(np.int64), 0)
    activated = np.where(primary, join, join + (rng.random(n) * span).astype(np.int64) * DAY)
    # Closure: every line of a closed customer; a few secondary lines of the others.
    closed_on = np.where(customer_closed[cust], c.closed_on[cust], np.datetime64("NaT", "D"))
    first_close = activated + 30 * DAY
    can_close = ~primary & ~customer_closed[cust] & (first_close < T - DAY) & (rng.random(n) < SECONDARY_CLOSED_SHARE)
    close_span = np.maximum((T - DAY - first_close).astype(np.int64), 1)
    closed_on = np.where(can_close, first_close + (rng.random(n) * close_span).astype(np.int64) * DAY, closed_on)
    closed = ~np.isnat(closed_on)
    cancelled = closed & (c.situation[cust] != CLOSED_ARREARS)
    # Plan: the brand's richest plan within the line's spending level.
    brand = c.brand[cust]
    level = c.propensity[cust] * rng.lognormal(0, 0.3, n)
    target = level * 100 * rng.uniform(0.75, 1.05, n)
    slot = ((org.plan_fee[brand] <= target[:, None]).sum(axis=1) - 1).clip(0)
    enterprise = rng.random(n) < ENTERPRISE_SHARE
    ent = org.enterprises
    region = c.region[cust]
    has_ent = enterprise & (ent.count[region] > 0)
    skewed = ent.start[region] + (rng.random(n) ** 2 * ent.count[region]).astype(np.int64)  # a few big groups
    ids = first_id + np.arange(n)
    msisdn = msisdns.make(rng, ids - 1)
    cols = {
        "id": ids, "created_at": dates.local_to_utc(activated, rng.integers(9 * 3600, 20 * 3600, n)),
        "updated_at": dates.local_to_utc(T, 2 * 3600), "customer_id": c.ids[cust], "msisdn": identity.to_arrow(msisdn),
        "plan_id": org.plan_ids[brand, slot], "status": "active", "activated_on": activated,
        "enterprise_id": Nullable(np.where(has_ent, ent.ids[skewed.clip(0, len(ent.ids) - 1)], 0), ~has_ent),
    }
    return Lines(ids=ids, n=n, customer=cust, plan_slot=slot, brand=brand, activated=activated, closed_on=closed_on,
                 cancelled=cancelled,
                 level=level, msisdn=msisdn, cols=cols)
