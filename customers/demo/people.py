"""Customers: identity, profile, organisation links, and the behaviour that drives their inputs over the history
(pays, stops paying from some month, cancels in some month). Nothing derived: stars, limits, statuses and
closures come from the product's runs over the replayed inputs (customers/demo/replay.py)."""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from customers.choices import IdType
from customers.demo import dates, geo, identity, names, text
from customers.demo.dates import DAY
from customers.demo.encode import Nullable

# Situations drive a customer's inputs: when they stop paying (arrears kinds, by how long ago the first unpaid
# bill fell due) or cancel (CLOSED). What the product makes of it (barring, closure) is its own business.
ACTIVE, ONE_WAY, TWO_WAY, RETENTION, CLOSED_ARREARS, CLOSED = range(6)
# Days since the first unpaid bill's due date that each arrears situation covers (barring policy defaults:
# one-way at once, two-way after 30 days, retention after 60, closure after a further 90-120).
OVERDUE_WINDOWS = {ONE_WAY: (1, 30), TWO_WAY: (30, 60), RETENTION: (60, 150), CLOSED_ARREARS: (160, 10_000)}
CLOSURE_AFTER_DUE = 150  # billing stops billing a line about this long after its first unpaid bill fell due
VIP_SHARES = (("diamond", 0.003), ("platinum", 0.007), ("gold", 0.02), ("ordinary_4", 0.12), ("ordinary_3", 0.25),
              ("ordinary_2", 0.30))  # the rest ordinary_1
# Days since joining of the demo account manager's first customers: identity callbacks due today (2), overdue, soon
DEMO_NEWEST_DAYS = np.array([3, 3, 5, 1])
MONTHS = 19  # month slots of history, the last one the current month: 18 complete months replayed

_SURNAMES = [s for s, _ in names.SURNAMES]
_SURNAME_W = [w for _, w in names.SURNAMES]
_DISTRICT_CODE = np.array([int(code) for c in geo.CITIES for code, _ in c.districts])
_DISTRICT_NAME = [name for c in geo.CITIES for _, name in c.districts]
_DISTRICT_COUNT = np.array([len(c.districts) for c in geo.CITIES])
_DISTRICT_START = np.concatenate([[0], np.cumsum(_DISTRICT_COUNT)[:-1]])
_DISTRICT_URBAN = np.array([name.endswith("区") for name in _DISTRICT_NAME])
_CITY_FULL = [c.full_name for c in geo.CITIES]
_CITY_SHORT = [c.name for c in geo.CITIES]


def chinese_names(rng: np.random.Generator, male: np.ndarray) -> pa.Array:
    n = len(male)
    surname = text.pick(_SURNAMES, text.weighted_choice(rng, _SURNAME_W, n))
    last = pc.if_else(pa.array(male), text.pick(names.GIVEN_MALE, rng.integers(len(names.GIVEN_MALE), size=n)),
                      text.pick(names.GIVEN_FEMALE, rng.integers(len(names.GIVEN_FEMALE), size=n)))
    first = text.blank_where(rng.random(n) < 0.3, text.pick(names.GIVEN_FIRST, rng.integers(len(names.GIVEN_FIRST),
                                                                                             size=n)))
    return text.join(surname, first, last)


@dataclass
class Customers:
    ids: np.ndarray
    n: int
    region: np.ndarray
    join: np.ndarray
    birth: np.ndarray
    male: np.ndarray
    brand: np.ndarray
    propensity: np.ndarray  # typical monthly spend, CNY
    situation: np.ndarray
    first_unpaid: np.ndarray  # month slot (0..11) of the first unpaid bill, -1 when none
    closed_on: np.ndarray  # NaT when open
    account_manager: np.ndarray
    channel: np.ndarray
    decliner: np.ndarray
    churn_signal: np.ndarray
    contacts: np.ndarray
    id_number: np.ndarray  # 'S18'
    cols: dict


def due_dates(today: date) -> np.ndarray:
    """Due date (20th of the next month) of the bill for each month slot."""
    m0 = dates.month_index(np.datetime64(today, "D"))
    return dates.month_start(m0 - MONTHS + 2 + np.arange(MONTHS)) + 19 * DAY


def _resident_ids(rng, region, birth, male, registry: identity.UniqueKeys):
    n = len(region)
    u = rng.random(n)
    home = _DISTRICT_START[region] + (rng.random(n) * _DISTRICT_COUNT[region]).astype(np.int64)
    elsewhere = rng.integers(len(_DISTRICT_CODE), size=n)
    migrants = np.array([int(a) for a in geo.OTHER_PROVINCE_AREAS])[rng.integers(len(geo.OTHER_PROVINCE_AREAS), size=n)]
    area = np.where(u < 0.80, _DISTRICT_CODE[home], np.where(u < 0.92, _DISTRICT_CODE[elsewhere], migrants))
    seq = identity.draw_sequence(rng, male)
    keys = identity.id_keys(area, birth, seq)
    clash = registry.clashes(keys)
    while clash.any():
        seq[clash] = identity.draw_sequence(rng, male[clash])
        keys[clash] = identity.id_keys(area[clash], birth[clash], seq[clash])
        clash = registry.clashes(keys)
    registry.add(keys)
    return identity.id_strings(keys)


def _address(rng, region):
    n = len(region)
    district = _DISTRICT_START[region] + (rng.random(n) * _DISTRICT_COUNT[region]).astype(np.int64)
    head = text.join("湖南省", text.pick(_CITY_FULL, region), text.pick(_DISTRICT_NAME, district))
    street = text.join(text.pick(names.STREETS, rng.integers(len(names.STREETS), size=n)),
                       text.num(rng.integers(1, 400, n)), "号", text.num(rng.integers(1, 30, n)), "栋",
                       text.num(rng.integers(1, 5, n)), "单元", text.num(rng.integers(1, 33, n)),
                       text.num(rng.integers(1, 5, n), 2), "室")
    village = text.join(text.pick(names.TOWNS, rng.integers(len(names.TOWNS), size=n)), "镇",
                        text.pick(names.VILLAGES, rng.integers(len(names.VILLAGES), size=n)), "村",
                        text.num(rng.integers(1, 15, n)), "组", text.num(rng.integers(1, 120, n)), "号")
    rural = ~_DISTRICT_URBAN[district] & (rng.random(n) < 0.5)
    return text.join(head, pc.if_else(pa.array(rural), village, street))


def _work(rng, region, age):
    n = len(region)
    occ = text.weighted_choice(rng, [w for *_, w in names.OCCUPATIONS], n)
    labels = [o for o, _, _ in names.OCCUPATIONS]
    student, retired = labels.index(names.STUDENT), labels.index(names.RETIRED)
    occ = np.where((occ == student) & (age >= 25), labels.index("企业职员"), occ)
    occ = np.where((occ == retired) & (age < 55), labels.index("自由职业"), occ)
    occ = np.where((age < 23) & (rng.random(n) < 0.7), student, occ)
    occ = np.where((age >= 60) & (rng.random(n) < 0.8), retired, occ)
    has_occ = rng.random(n) < 0.8
    industry_of = np.array([i for _, i, _ in names.OCCUPATIONS], dtype=object)
    employed = has_occ & (industry_of[occ] != "")
    has_work = employed & (rng.random(n) < 0.45)
    trade = rng.integers(len(names.COMPANY_TRADES), size=n)
    company = text.join(text.pick(_CITY_SHORT, region), text.pick(names.COMPANY_WORDS, rng.integers(
        len(names.COMPANY_WORDS), size=n)), text.pick([t for t, _ in names.COMPANY_TRADES], trade),
        text.pick(names.COMPANY_SUFFIXES, rng.integers(len(names.COMPANY_SUFFIXES), size=n)))
    institution = text.join(text.pick(_CITY_FULL, region),
                            text.pick(names.INSTITUTIONS, rng.integers(len(names.INSTITUTIONS), size=n)))
    workplace = pc.if_else(pa.array(rng.random(n) < 0.8), company, institution)
    return (text.blank_where(~has_occ, text.pick(labels, occ)),
            text.blank_where(~employed, pa.array(industry_of[occ], pa.string())),
            text.blank_where(~has_work, workplace), has_occ, has_work)


def _situations(rng, n, join, risk, brand, today):
    T = np.datetime64(today, "D")
    tenure_days = (T - join).astype(np.int64)
    p = 0.05 * risk * np.array([0.6, 1.1, 1.4])[brand] * np.where(tenure_days < 730, 1.5, 1.0)
    arrears = rng.random(n) < np.minimum(p, 0.5)
    kind = rng.choice([ONE_WAY, TWO_WAY, RETENTION, CLOSED_ARREARS], size=n, p=[0.33, 0.2, 0.17, 0.3])
    situation = np.where(arrears, kind, np.where(rng.random(n) < 0.045, CLOSED, ACTIVE))
    # First unpaid month: one whose due date puts the customer in its situation's overdue window.
    overdue = (T - due_dates(today)).astype(np.int64)  # per month slot
    join_slot = dates.month_index(join) - (dates.month_index(T) - MONTHS + 1)
    valid = np.zeros((n, MONTHS), dtype=bool)
    for sit, (lo, hi) in OVERDUE_WINDOWS.items():
        rows = situation == sit
        valid[rows] = (overdue >= lo) & (overdue < hi)
    valid &= np.arange(MONTHS) >= join_slot[:, None]
    valid[:, MONTHS - 1] = False  # the current month has no bill yet
    score = np.where(valid, rng.random((n, MONTHS)), -1.0)
    first_unpaid = np.where(score.max(axis=1) >= 0, score.argmax(axis=1), -1)
    in_arrears = np.isin(situation, list(OVERDUE_WINDOWS))
    situation = np.where(in_arrears & (first_unpaid < 0), ACTIVE, situation)
    first_unpaid = np.where(np.isin(situation, list(OVERDUE_WINDOWS)), first_unpaid, -1)
    closed_on = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ca = situation == CLOSED_ARREARS
    due = due_dates(today)
    closed_on[ca] = np.minimum(due[first_unpaid[ca]] + (CLOSURE_AFTER_DUE + rng.integers(0, 10, ca.sum())) * DAY,
                               T - DAY)
    cv = situation == CLOSED
    earliest = np.maximum(join + 30 * DAY, dates.month_start(dates.month_index(T) - MONTHS + 2))
    cv_ok = cv & (earliest < T - DAY)
    span = (T - DAY - earliest).astype(np.int64)
    closed_on[cv_ok] = earliest[cv_ok] + (rng.random(cv_ok.sum()) * span[cv_ok]).astype(np.int64) * DAY
    situation = np.where(cv & ~cv_ok, ACTIVE, situation)
    return situation, first_unpaid, closed_on


def make_customers(rng, org, today: date, n: int, first_id: int, registry: identity.UniqueKeys,
                   *, first_chunk: bool) -> Customers:
    T = np.datetime64(today, "D")
    region = rng.choice(len(org.region_ids), size=n, p=org.region_weights / org.region_weights.sum())
    recent = rng.random(n) < 0.12
    days = np.where(recent, rng.exponential(365, n), rng.random(n) * 15 * 365.25).clip(0, 15 * 365.25 - 1)
    if first_chunk:  # the demo account manager's newest customers: identity callbacks due today, late, and soon
        newest = np.flatnonzero(region == org.am_demo_region)[:len(DEMO_NEWEST_DAYS)]
        days[newest] = DEMO_NEWEST_DAYS[:len(newest)]
    join = T - days.astype(np.int64) * DAY
    age_at_join = np.minimum(18 + rng.gamma(2.2, 7.0, n), 75)
    birth = join - (age_at_join * 365.25).astype(np.int64) * DAY
    age = (T - birth).astype(np.int64) / 365.25
    male = rng.random(n) < 0.51
    id_number = _resident_ids(rng, region, birth, male, registry)
    brand_p = np.select([age < 26, age < 55], [0.0, 1.0], 2.0).astype(np.int64)
    brand_table = np.array([[0.15, 0.60, 0.25], [0.35, 0.30, 0.35], [0.30, 0.05, 0.65]])
    brand = (rng.random(n)[:, None] > np.cumsum(brand_table[brand_p], axis=1)).sum(axis=1).clip(0, 2)
    propensity = np.array([110.0, 38.0, 24.0])[brand] * rng.lognormal(0, 0.8, n)
    channel_pos = org.acquiring.pick(rng, region)
    situation, first_unpaid, closed_on = _situations(rng, n, join, org.acquiring_risk[channel_pos], brand, today)
    am = org.account_managers.ids[org.account_managers.pick(rng, region)]
    if first_chunk:  # the demo account manager always has a book, however small the province
        am[np.flatnonzero(region == org.am_demo_region)[:25]] = org.am_demo_id
    open_ = ~np.isin(situation, [CLOSED, CLOSED_ARREARS])
    decliner = open_ & (rng.random(n) < 0.08)
    churn_signal = open_ & (rng.random(n) < np.where(decliner, 0.3, 0.01))
    contacts = rng.choice(4, size=n, p=[0.65, 0.2, 0.1, 0.05])
    has_address = rng.random(n) < 0.85
    occupation, industry, workplace, has_occ, has_work = _work(rng, region, age)
    completeness = 40 + 15 * has_address + 15 * has_occ + 15 * has_work + 5 * np.minimum(contacts, 3)
    # Opened during business hours; those opened "today" before the 02:00 snapshot.
    joined_at = dates.local_to_utc(join, np.where(join == T, rng.integers(0, 2 * 3600, n),
                                                  rng.integers(9 * 3600, 20 * 3600, n)))
    explained = join >= T - 730 * DAY
    ids = first_id + np.arange(n)
    id_text = identity.to_arrow(id_number)
    cols = {
        "id": ids, "created_at": joined_at, "updated_at": dates.local_to_utc(T, 2 * 3600),
        "name": chinese_names(rng, male), "id_type": IdType.RESIDENT_ID,
        "id_number": id_text, "id_last4": pc.utf8_slice_codeunits(id_text, 14, 18), "birth_date": birth,
        "gender": pa.array(np.where(male, "M", "F").astype(object), pa.string()),
        "address": text.blank_where(~has_address, _address(rng, region)), "occupation": occupation,
        "industry": industry, "workplace": workplace, "region_id": org.region_ids[region],
        "brand_id": org.brand_ids[brand], "join_date": join, "status": "active",
        "acquiring_channel_id": org.acquiring.ids[channel_pos], "account_manager_id": am,
        "data_completeness": completeness,
        "policy_explained_at": Nullable(joined_at + np.timedelta64(600, "s"), ~explained),
    }
    return Customers(ids=ids, n=n, region=region, join=join, birth=birth, male=male, brand=brand,
                     propensity=propensity, situation=situation, first_unpaid=first_unpaid, closed_on=closed_on,
                     account_manager=am, channel=org.acquiring.ids[channel_pos], decliner=decliner,
                     churn_signal=churn_signal, contacts=contacts, id_number=id_number, cols=cols)


def _by_rank(score: np.ndarray, eligible: np.ndarray, shares) -> np.ndarray:
    """Index into `shares` (or len(shares) for the rest) by descending score among eligible rows."""
    out = np.full(len(score), len(shares))
    idx = np.flatnonzero(eligible)
    order = idx[np.argsort(-score[idx], kind="stable")]
    bounds = np.round(np.cumsum([s for _, s in shares]) * len(order)).astype(np.int64)
    start = 0
    for i, end in enumerate(bounds):
        out[order[start:end]] = i
        start = end
    return out


def finish_customers(rng, c: Customers, avg_spend_cents: np.ndarray) -> dict:
    """The VIP tier, which the operator's VIP programme assigns (an input here) from the customer's spend."""
    tier_names = np.array([t for t, _ in VIP_SHARES] + ["ordinary_1"], dtype=object)
    tier = tier_names[_by_rank(avg_spend_cents + rng.random(c.n), np.ones(c.n, bool), VIP_SHARES)]
    return {"vip_tier": pa.array(tier, pa.string())}
