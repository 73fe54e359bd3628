"""Population stability index (PSI): how far a distribution moved from the one a model was built on.

PSI = sum over bins of (actual% - expected%) * ln(actual% / expected%). Common reading (and the issue's
thresholds): below 0.1 stable, 0.1–0.25 a warning, above 0.25 an alert. Pure functions: the apps count
their bins set-based in SQL and hand the counts here.
"""

import math
from collections.abc import Mapping

import numpy as np

WARNING, ALERT = 0.1, 0.25
STABLE_LEVEL, WARNING_LEVEL, ALERT_LEVEL = "stable", "warning", "alert"
# an empty bin would make ln() infinite: count it as a tiny share instead (the usual practice)
EPSILON = 1e-4


def shares(counts: Mapping) -> dict:
    total = sum(counts.values())
    return {k: (v / total if total else 0.0) for k, v in counts.items()}


def psi(expected: Mapping, actual: Mapping) -> float | None:
    """PSI between two {bin: count} (or share) mappings; None when either side is empty."""
    if not sum(expected.values()) or not sum(actual.values()):
        return None
    e, a = shares(expected), shares(actual)
    total = 0.0
    for key in set(e) | set(a):
        pe, pa = max(e.get(key, 0.0), EPSILON), max(a.get(key, 0.0), EPSILON)
        total += (pa - pe) * math.log(pa / pe)
    return round(total, 4)


def level(value: float | None) -> str:
    if value is None or value <= WARNING:
        return STABLE_LEVEL
    return WARNING_LEVEL if value <= ALERT else ALERT_LEVEL


def quantile_edges(values, bins: int = 10) -> list[float]:
    """Inner edges of (at most) `bins` equal-count bins of the finite values, duplicates removed."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return []
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
    return [float(x) for x in edges]


def bin_counts(values, edges: list[float]) -> dict[str, int]:
    """{bin label: count}: "missing" for NaN, else the index of the edge interval (numpy, no loop over rows)."""
    values = np.asarray(values, dtype=float)
    known = np.isfinite(values)
    counts = {"missing": int((~known).sum())} if (~known).any() else {}
    idx = np.searchsorted(np.asarray(edges, dtype=float), values[known], side="right")
    for i, n in zip(*np.unique(idx, return_counts=True), strict=True):
        counts[str(int(i))] = int(n)
    return counts
