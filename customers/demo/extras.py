"""The smaller per-customer tables: devices, related contacts, line status history, blacklist, callbacks."""

from datetime import date

import numpy as np
import pyarrow as pa

from customers.choices import IdType
from customers.demo import catalog, dates, geo, identity, names, text
from customers.demo.dates import DAY
from customers.demo.encode import Nullable
from customers.demo.lines import Lines
from customers.demo.people import Customers, chinese_names
from customers.policies import CALLBACK_DAYS

CALLBACK_LATE_DAYS = 7  # callbacks whose due date passed up to a week ago are generated too (some still open)

DEVICES_PER_CUSTOMER = (0.5, 0.35, 0.15)
_HUNAN_AREAS = np.array([int(code) for c in geo.CITIES for code, _ in c.districts])


def make_devices(rng, c: Customers, today: date, first_id: int) -> tuple[dict, int]:
    T = np.datetime64(today, "D")
    count = rng.choice(3, size=c.n, p=DEVICES_PER_CUSTOMER) + 1
    cust = np.repeat(np.arange(c.n), count)
    n = len(cust)
    first = np.arange(n) == np.concatenate([[0], np.cumsum(count)[:-1]])[cust]
    end = np.where(np.isnat(c.closed_on), T, c.closed_on)[cust]
    join = c.join[cust]
    started = np.where(first, join - rng.integers(0, 400, n) * DAY,
                       join + (rng.random(n) * np.maximum((end - join).astype(np.int64), 1)).astype(np.int64) * DAY)
    # Richer customers buy dearer phones.
    band = np.digitize(np.log(c.propensity[cust]) + rng.normal(0, 0.7, n), [np.log(30), np.log(90)])
    models = np.empty(n, dtype=np.int64)
    for b, label in enumerate(catalog.PRICE_BANDS):
        in_band = [i for i, d in enumerate(catalog.DEVICES) if d[2] == label]
        rows = band == b
        weights = [catalog.DEVICES[i][4] for i in in_band]
        models[rows] = np.array(in_band)[text.weighted_choice(rng, weights, rows.sum())]
    supports = np.array([d[3] for d in catalog.DEVICES])[models]
    cols = {
        "id": first_id + np.arange(n), "customer_id": c.ids[cust],
        "brand": text.pick([d[0] for d in catalog.DEVICES], models), "model": text.pick([d[1] for d in catalog.DEVICES],
                                                                                          models),
        "price_band": text.pick([d[2] for d in catalog.DEVICES], models),
        "dual_sim": supports & (rng.random(n) < np.where(c.churn_signal[cust], 0.6, 0.2)), "started_on": started,
    }
    return cols, n


def make_contacts(rng, c: Customers, first_id: int) -> tuple[dict, int]:
    cust = np.repeat(np.arange(c.n), c.contacts)
    n = len(cust)
    ours = rng.random(n) < 0.7
    number = np.where(ours, identity.random_msisdns(rng, tuple(p for p, _ in catalog.MOBILE_PREFIXES), n),
                      identity.random_msisdns(rng, catalog.OTHER_PREFIXES, n))
    cols = {
        "id": first_id + np.arange(n), "customer_id": c.ids[cust], "name": chinese_names(rng, rng.random(n) < 0.5),
        "relation": text.pick(names.RELATIONS, rng.integers(len(names.RELATIONS), size=n)),
        "msisdn": identity.to_arrow(number),
    }
    return cols, n


def make_status_changes(rng, c: Customers, ln: Lines, today: date, first_id: int) -> tuple[dict, int]:
    """Billing's cancellations: each cancelled line closed on its day (from_status is what the line has then:
    the intake fills it in). Barring and arrears closures are not billing's to send: the product decides them."""
    line = np.flatnonzero(ln.cancelled)
    n = len(line)
    cols = {
        "id": first_id + np.arange(n), "line_id": ln.ids[line],
        "from_status": "active", "to_status": "closed",
        "changed_at": dates.local_to_utc(ln.closed_on[line], rng.integers(9 * 3600, 18 * 3600, n)),
        "reason": "客户申请销号", "source": "billing",
    }
    return cols, n


def make_blacklist(rng, c: Customers, today: date, first_id: int,
                   registry: identity.UniqueKeys) -> tuple[dict, int]:
    """People blacklisted before they were ever our customers (migrated from the legacy system): an input. Our
    own customers closed for arrears are the product's to list."""
    T = np.datetime64(today, "D")
    m = max(1, c.n // 1000)
    birth = T - ((20 + rng.random(m) * 45) * 365.25).astype(np.int64) * DAY
    male = rng.random(m) < 0.6
    keys = identity.id_keys(_HUNAN_AREAS[rng.integers(len(_HUNAN_AREAS), size=m)], birth,
                            identity.draw_sequence(rng, male))
    keys = keys[~registry.clashes(keys)]
    registry.add(keys)
    n = len(keys)
    listed = T - rng.integers(30, 2000, n) * DAY
    cleared = rng.random(n) < 0.15
    cols = {
        "id": first_id + np.arange(n),
        "created_at": dates.local_to_utc(listed, 3 * 3600), "updated_at": dates.local_to_utc(T, 2 * 3600),
        "id_type": IdType.RESIDENT_ID, "id_number": identity.to_arrow(identity.id_strings(keys)),
        "customer_id": None, "reason": "历史欠费未结清（系统迁移）",
        "amount_owed": np.rint(rng.lognormal(np.log(15000), 0.9, n)).astype(np.int64),
        "cleared_at": Nullable(dates.local_to_utc(T - DAY, 10 * 3600), ~cleared),
    }
    return cols, n


def make_callbacks(rng, c: Customers, today: date, first_id: int) -> tuple[dict, int]:
    T = np.datetime64(today, "D")
    new = np.flatnonzero(c.join > T - (CALLBACK_DAYS + CALLBACK_LATE_DAYS) * DAY)
    n = len(new)
    u = rng.random(n)
    due = c.join[new] + CALLBACK_DAYS * DAY
    early = (due > T) & (c.join[new] < T)  # called before the due date (half of them already)
    # as of the generator's 02:00: those due today are still to call; most past-due ones were called, a few are late
    status = np.select([(due < T) & (u < 0.8), (due < T) & (u < 0.9), early & (u < 0.5), early & (u < 0.55)],
                       ["confirmed", "failed", "confirmed", "failed"], "open").astype(object)
    outcome = np.select([status == "confirmed", status == "failed"], ["回访成功，身份核实无误", "三次联系未接通"], "")
    cols = {
        "id": first_id + np.arange(n), "created_at": c.cols["created_at"][new],
        "updated_at": dates.local_to_utc(T, 2 * 3600), "customer_id": c.ids[new],
        "due_on": due, "assigned_to_id": c.account_manager[new],
        "status": pa.array(status, pa.string()), "outcome": pa.array(outcome.astype(object), pa.string()),
    }
    return cols, n
