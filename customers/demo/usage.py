"""Monthly usage summaries, bills and payments of a chunk's lines, built as (lines x MONTHS) matrices: what
billing sends, month by month. Behaviour shows in the figures: a customer about to cancel spends less, uses
less of the plan and calls competitors' hotlines in the months before; one who stops paying stops paying."""

from dataclasses import dataclass
from datetime import date

import numpy as np

from customers.demo import catalog, dates, text
from customers.demo.dates import DAY
from customers.demo.lines import Lines
from customers.demo.people import MONTHS, Customers, due_dates

SPEND_WINDOW_FROM = MONTHS - 7  # slots the nightly spend refresh averages (months >= this month - 6)
DATA_OVERAGE_CENTS_PER_GB = 300
_CHANNEL_CODES = np.array([c for c, _ in catalog.PAYMENT_CHANNELS], dtype="S")
_CHANNEL_W = [w for _, w in catalog.PAYMENT_CHANNELS]
_AUTO_DEBIT = 0


@dataclass
class Money:
    usage: dict
    n_usage: int
    bills: dict
    n_bills: int
    payments: dict
    n_payments: int
    avg_spend_cents: np.ndarray  # per customer, as customers.batches.refresh_avg_spend computes it
    unpaid_cents: np.ndarray  # per customer, over the 12 months


def make_money(rng, org, c: Customers, ln: Lines, today: date, first_ids: dict, bill_months: int) -> Money:
    T = np.datetime64(today, "D")
    L, ks = ln.n, np.arange(MONTHS)
    base = dates.month_index(T) - MONTHS + 1
    act_k = dates.month_index(ln.activated) - base
    closed = ~np.isnat(ln.closed_on)
    end_k = np.where(closed, dates.month_index(np.where(closed, ln.closed_on, T)) - base, MONTHS - 2)
    # complete months only: billing summarises and bills a month after it ends
    valid = (ks >= act_k[:, None]) & (ks <= end_k[:, None]) & (ks < MONTHS - 1)

    cust = ln.customer
    pv = org.plan_voice[ln.brand, ln.plan_slot][:, None]
    pd = org.plan_data[ln.brand, ln.plan_slot][:, None]
    fee = org.plan_fee[ln.brand, ln.plan_slot][:, None]
    rate = org.plan_rate[ln.brand, ln.plan_slot][:, None]
    first_unpaid = c.first_unpaid[cust][:, None]
    in_arrears = first_unpaid >= 0
    barred = in_arrears & (ks > first_unpaid)
    trend = np.where(c.decliner[cust][:, None], 0.85 ** np.clip(ks - (MONTHS - 7), 0, None), 1.0)
    # the months before a cancellation: spend falls, competitors' hotlines get called
    leaving = ln.cancelled[:, None] & (ks >= end_k[:, None] - 4) & (ks <= end_k[:, None])
    trend = np.where(leaving, 0.8 ** np.clip(ks - (end_k[:, None] - 4), 0, None), trend)
    factor = trend * np.where(barred, 0.1, 1.0)

    voice = np.rint(np.where(pv > 0, pv, 60) * rng.lognormal(np.log(0.6), 0.5, (L, 1)).clip(max=2.0)
                    * rng.lognormal(0, 0.2, (L, MONTHS)) * factor).astype(np.int64)
    data = np.rint(pd * rng.lognormal(np.log(0.7), 0.5, (L, 1)).clip(max=1.4) * rng.lognormal(0, 0.2, (L, MONTHS))
                   * factor).astype(np.int64)
    sms = rng.poisson(rng.lognormal(np.log(6), 0.8, (L, 1)) * factor)
    over = (np.maximum(voice - pv, 0) * rate) // 100 + (
        -(-np.maximum(data - pd, 0) // 1024) * DATA_OVERAGE_CENTS_PER_GB)
    extras = (np.where(rng.random((L, 1)) < 0.25, rng.lognormal(np.log(800), 0.6, (L, 1)), 0)
              + 0.5 * np.maximum(ln.level[:, None] * 100 - fee, 0)) * rng.lognormal(0, 0.25, (L, MONTHS)) * trend
    bill = fee + np.where(barred, 0, over + np.rint(extras).astype(np.int64))
    saturation = np.minimum(np.rint(10000 * np.maximum(np.where(pv > 0, voice / np.maximum(pv, 1), 0), data / pd)),
                            99999).astype(np.int64)
    # Competitors' hotlines, as a real operator sees them: a signal, not a label. About one line in ten shops
    # around now and then and stays; about half of those who will leave call before they go, the rest leave quietly.
    shopper = rng.random((L, 1)) < 0.10
    baseline = rng.poisson(np.where(shopper, rng.lognormal(np.log(0.3), 0.6, (L, 1)), 0.01), (L, MONTHS))
    rising = rng.poisson(0.7 * np.clip(ks - (MONTHS - 5), 0, None), (L, MONTHS))
    hotline = np.where(c.churn_signal[cust][:, None] & (ks >= MONTHS - 4), baseline + rising, baseline)
    caller = rng.random((L, 1)) < 0.5
    calls_before_leaving = rng.poisson(0.5 + 0.5 * np.clip(ks - (end_k[:, None] - 4), 0, None), (L, MONTHS))
    hotline = np.where(leaving & caller, baseline + calls_before_leaving, hotline)
    broadband = rng.random(L) < np.where(ln.brand == catalog.GOTONE, 0.4, 0.2)
    # The float a customer keeps on the account (billing reports it with the usage; the ledger opens with it): a
    # prepaid customer keeps about a month or two of their own spend there, so a punctual customer's bill, deducted
    # on the 1st, leaves the account above zero until the month's top-up (a float below the bill would bar nearly
    # every line for the days between its bill and its payment, every month: suspensions a real book does not have).
    typical = np.where(valid, bill, 0).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)
    balance = np.rint(np.maximum(typical, 2000)[:, None] * rng.lognormal(np.log(1.6), 0.35, (L, 1))
                      * rng.lognormal(0, 0.3, (L, MONTHS))).astype(np.int64)
    unpaid = in_arrears & (ks >= first_unpaid) & valid & (ks < MONTHS - 1)
    balance = np.where(unpaid | barred, -np.cumsum(np.where(unpaid, bill, 0), axis=1), balance)

    li, ki = np.nonzero(valid)
    n_usage = len(li)
    usage = {
        "id": first_ids["usage"] + np.arange(n_usage), "line_id": ln.ids[li], "customer_id": c.ids[cust[li]],
        "month": dates.month_start(base + ki), "voice_minutes": voice[li, ki], "data_mb": data[li, ki],
        "sms_count": sms[li, ki], "competitor_hotline_calls": hotline[li, ki], "plan_saturation": saturation[li, ki],
        "broadband_bundled": broadband[li], "bill_amount": bill[li, ki], "prepaid_balance": balance[li, ki],
    }

    # Spend as the nightly refresh computes it: total billed over the window / distinct months with usage.
    window = valid & (ks >= SPEND_WINDOW_FROM)
    total = np.bincount(cust, weights=np.where(window, bill, 0).sum(axis=1), minlength=c.n).astype(np.int64)
    months = sum((np.bincount(cust, weights=window[:, k], minlength=c.n) > 0).astype(np.int64)
                 for k in range(SPEND_WINDOW_FROM, MONTHS))
    avg_spend = np.where(months > 0, (2 * total + months) // np.maximum(2 * months, 1), 0)
    unpaid_total = np.bincount(cust, weights=np.where(unpaid, bill, 0).sum(axis=1), minlength=c.n).astype(np.int64)

    # Bills for the last `bill_months` complete months; paid before the due date, late, or not yet.
    due = due_dates(today)
    billed = valid & (ks >= MONTHS - 1 - bill_months) & (ks < MONTHS - 1)
    preferred = text.weighted_choice(rng, _CHANNEL_W, L)
    channel = np.where(rng.random((L, MONTHS)) < 0.85, preferred[:, None],
                       text.weighted_choice(rng, _CHANNEL_W, (L, MONTHS)))
    late = (rng.random((L, 1)) < 0.08) & (rng.random((L, MONTHS)) < 0.3)
    pay_day = np.where(channel == _AUTO_DEBIT, due - 15 * DAY,
                       np.where(late, due + rng.integers(1, 26, (L, MONTHS)) * DAY,
                                due - rng.integers(1, 20, (L, MONTHS)) * DAY))
    # Prepaid credit deducts a bill when it is issued: a punctual customer's money is there by then, so a bill
    # still inside its payment window counts as paid the day before `today` (else a demo made on the 1st of a
    # month would find most lines below zero and bar them).
    pay_day = np.where(~late & (pay_day >= T), T - DAY, pay_day)
    paid = ~unpaid & (pay_day < T)
    bi, bk = np.nonzero(billed)
    n_bills = len(bi)
    bills = {
        "id": first_ids["bills"] + np.arange(n_bills), "line_id": ln.ids[bi], "customer_id": c.ids[cust[bi]],
        "period": dates.month_start(base + bk), "amount": bill[bi, bk], "due_date": due[bk],
        "paid_amount": 0,  # billing sends the bill; the payments pay it
    }
    pi, pk = np.nonzero(billed & paid)
    n_pay = len(pi)
    # Rows in the order the binary encoder streams them (grouped by the channel's length), so the heap, the ids
    # and the references all ascend together: the unique index on reference then builds from presorted input.
    by_length = np.argsort(np.char.str_len(_CHANNEL_CODES)[channel[pi, pk]], kind="stable")
    pi, pk = pi[by_length], pk[by_length]
    pay_ids = first_ids["payments"] + np.arange(n_pay)
    payments = {
        "id": pay_ids, "line_id": ln.ids[pi], "customer_id": c.ids[cust[pi]],
        # auto-debit takes the bill; at a counter or in the app people top up in round tens
        "amount": np.where(channel[pi, pk] == _AUTO_DEBIT, bill[pi, pk], -(-bill[pi, pk] // 1000) * 1000),
        "paid_at": dates.local_to_utc(pay_day[pi, pk], rng.integers(8 * 3600, 22 * 3600, n_pay)),
        "channel": _CHANNEL_CODES[channel[pi, pk]],
        "reference": text.fixed_bytes(b"PAY", text.digits(pay_ids, 13)),
    }
    return Money(usage, n_usage, bills, n_bills, payments, n_pay, avg_spend, unpaid_total)
