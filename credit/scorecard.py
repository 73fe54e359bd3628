"""A data-driven scorecard option: bins fitted from payment outcomes, exported as a draft factor model.

Features are the scorer's own (`credit.features`, as of the observation date); the outcome is "bad" when, in
the months after it, a bill stayed unpaid 30 days past its due date or a line was barred. Each feature is
binned with `optbinning` (optimal binning with a monotonic weight-of-evidence trend, solver "cp"); a bin's
points are its WoE on the scorecard scale (20 points double the odds of paying), features with an information
value below 0.02 are left out, and the star cut-offs put the shares of source 004 (5★ 1 %, 4★ 7 %, 3★ 7 %,
2★ 15 %, 1★ 20 %) on the fitted population. The result is an ordinary draft: officers read the bins, the IV per
factor and the impact preview, edit it, and publish it like any other.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from optbinning import OptimalBinning

from credit import scoring
from credit.choices import CATEGORICAL_FEATURES, Feature
from credit.default_model import FACTORS, VALUE_DECILE_FACTOR
from credit.models import Factor, FactorBin, ScoringModel, StarCutoff
from credit.sql.scorecard import outcome_sql
from credit.sql.scoring import CUSTOMER_ID_RANGE_SQL, JIT_OFF_SQL
from customers.policies import months_ago

CHUNK = 50_000
MIN_IV = 0.02
POINTS_TO_DOUBLE = 20
SCALE = POINTS_TO_DOUBLE / math.log(2)
STAR_SHARES = {5: 0.01, 4: 0.07, 3: 0.07, 2: 0.15, 1: 0.20}  # source 004; the rest is 0★
LATE_DAYS = 30
DIMENSIONS = {feature: dimension for dimension, feature, *_ in [*FACTORS, VALUE_DECILE_FACTOR]}
NUMERIC = [f.value for f in Feature if f.value not in CATEGORICAL_FEATURES]
CATEGORICAL = [f.value for f in Feature if f.value in CATEGORICAL_FEATURES]

@dataclass
class FittedFactor:
    feature: str
    iv: float
    bins: list  # (lower, upper, category, points)
    table: list = field(default_factory=list)  # (bin label, customers, bad rate, woe)


def dataset(observed: date, until: date):
    """(feature values {name: array}, bad array) of the customers open on `observed` (read-only)."""
    rows = []
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(JIT_OFF_SQL)
        cur.execute(CUSTOMER_ID_RANGE_SQL)
        lo, hi = cur.fetchone()
        for start in range(lo or 0, hi or 0, CHUNK):
            params = {"lo": start, "hi": min(start + CHUNK, hi), "until": until,
                      "late_before": date.fromordinal(until.toordinal() - LATE_DAYS), **scoring.window_params(observed)}
            cur.execute(outcome_sql(observed, [*NUMERIC, *CATEGORICAL]), params)
            rows += cur.fetchall()
    names = [*NUMERIC, *CATEGORICAL]
    values = {name: np.array([r[1 + i] for r in rows], dtype=float if name in NUMERIC else object)
              for i, name in enumerate(names)}
    return values, np.array([bool(r[-1]) for r in rows], dtype=int)


def _woe(bad, good, total_bad, total_good) -> float:
    return math.log(((good + 0.5) / (total_good + 0.5)) / ((bad + 0.5) / (total_bad + 0.5)))


def factor_fit(name: str, x, y) -> FittedFactor | None:
    categorical = name in CATEGORICAL
    known = np.array([v is not None for v in x]) if categorical else np.isfinite(x)
    x, y = x[known], y[known]
    if len(set(x.tolist())) < 2 or not 0 < y.sum() < len(y):
        return None
    binning = OptimalBinning(name=name, dtype="categorical" if categorical else "numerical", solver="cp",
                             monotonic_trend=None if categorical else "auto_asc_desc")
    binning.fit(x.astype(str) if categorical else x, y)
    total_bad, total_good = int(y.sum()), int(len(y) - y.sum())
    fitted = FittedFactor(name, 0.0, [])
    if categorical:
        groups = [[str(v) for v in group] for group in binning.splits]
        members = [np.isin(x.astype(str), g) for g in groups]
        labels = ["=" + "/".join(g) for g in groups]
    else:
        edges = sorted({round(float(s), 2) for s in binning.splits})
        bounds = list(zip([None, *edges], [*edges, None], strict=True))
        everyone = np.ones(len(x), dtype=bool)
        members = [everyone & (x >= lo if lo is not None else everyone) & (x < hi if hi is not None else everyone)
                   for lo, hi in bounds]
        labels = [f"[{lo}, {hi})" for lo, hi in bounds]
    for i, mask in enumerate(members):
        bad, n = int(y[mask].sum()), int(mask.sum())
        woe = _woe(bad, n - bad, total_bad, total_good)
        fitted.iv += ((n - bad) / total_good - bad / total_bad) * woe
        points = Decimal(str(round(SCALE * woe, 2)))
        if categorical:
            fitted.bins += [(None, None, category, points) for category in groups[i]]
        else:
            lo, hi = bounds[i]
            fitted.bins.append((lo, hi, "", points))
        fitted.table.append((labels[i], n, round(bad / n, 4) if n else None, round(woe, 4)))
    fitted.iv = round(fitted.iv, 4)
    return fitted


def _points(fitted: FittedFactor, x) -> np.ndarray:
    out = np.zeros(len(x))
    for lo, hi, category, points in fitted.bins:
        if category:
            mask = np.array([str(v) == category for v in x])
        else:
            xf = x.astype(float)
            known = np.isfinite(xf)
            mask = known & (xf >= lo if lo is not None else known) & (xf < hi if hi is not None else known)
        out[mask] = float(points)
    return out


def cutoffs(scores) -> dict[int, Decimal]:
    """Score cut-offs giving the star shares of source 004 on the fitted population, rising with the star."""
    result, share_above, previous = {}, 0.0, None
    for star in (5, 4, 3, 2, 1):
        share_above += STAR_SHARES[star]
        value = Decimal(str(round(float(np.quantile(scores, 1 - share_above)), 2)))
        if previous is not None and value >= previous:
            value = previous - Decimal("0.01")
        result[star] = previous = value
    return result


def scorecard_fit(*, observed: date, outcome_months: int = 6, by=None, name: str = "") -> ScoringModel:
    """Fit the bins on customers open on `observed` and their payment outcomes in the `outcome_months` after,
    and store them as a new draft version (with the IV per factor in its metrics)."""
    until = months_ago(observed, -outcome_months)
    values, bad = dataset(observed, until)
    if not 0 < bad.sum() < len(bad):
        raise ValueError("the outcome window has no bad (or no good) payers: nothing to fit")
    fitted = [f for f in (factor_fit(n, values[n], bad) for n in values) if f is not None]
    kept = [f for f in fitted if f.iv >= MIN_IV]
    if not kept:
        raise ValueError("no factor reaches an information value of 0.02")
    scores = sum(_points(f, values[f.feature]) for f in kept)
    with transaction.atomic():
        latest = ScoringModel.objects.order_by("-version").values_list("version", flat=True).first() or 0
        draft = ScoringModel.objects.create(
            version=latest + 1, name=name or f"Scorecard {observed:%Y-%m}", created_by=by,
            notes=(f"Fitted with optbinning on {len(bad):,} customers open on {observed}; bad = a bill unpaid "
                   f"{LATE_DAYS} days after due or a barring before {until} ({int(bad.sum()):,} bad)."),
            data_from=observed, data_to=until,
            metrics={"method": "optbinning monotonic WoE", "customers": int(len(bad)), "bad": int(bad.sum()),
                     "information_value": {f.feature: f.iv for f in sorted(kept, key=lambda f: -f.iv)},
                     "left_out": {f.feature: f.iv for f in fitted if f.iv < MIN_IV},
                     "bins": {f.feature: f.table for f in kept}})
        for f in kept:
            factor = Factor.objects.create(scoring_model=draft, dimension=DIMENSIONS.get(f.feature, "payment"),
                                           feature=f.feature, weight=Decimal(1))
            FactorBin.objects.bulk_create(
                FactorBin(factor=factor, lower=None if lo is None else Decimal(str(lo)),
                          upper=None if hi is None else Decimal(str(hi)), category=category, points=points)
                for lo, hi, category, points in f.bins)
        StarCutoff.objects.bulk_create(StarCutoff(scoring_model=draft, star=star, min_score=value)
                                       for star, value in cutoffs(scores).items())
    return draft
