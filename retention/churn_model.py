"""The product's churn model on the honest features (`retention.features`), and the protocol that validates it.

Model: the mean of two calibrated learners (sklearn `CalibratedClassifierCV`): a logistic regression on the
standardised features with missing values imputed and flagged, and a histogram gradient boosting that reads
NaN natively. Averaging a linear and a tree learner holds up across data sets without tuning to one of them.
Protocol: customer-level hold-out (5 folds grouped by customer, so no customer is in both the fitted and the
scored part, even with several scan dates) and, with two or more scan dates, out-of-time validation (fitted
on the earlier dates, scored on the last). Leakage: training fails when a single feature alone separates the
outcome (AUC ≥ 0.98, or ≤ 0.02): such a feature is derived from the outcome.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

SEED = 0
FOLDS = 5
LEAKAGE_AUC = 0.98
MIN_CHURNERS = 2 * 5  # for a 5-fold hold-out with calibration inside each fold
TOP_SHARE = 0.2
LOGISTIC, BOOSTING, PRODUCT = "logistic_regression", "gradient_boosting", "product"


class LeakageError(ValueError):
    pass


def _fill_empty(X):
    """A column nobody has a value for carries no information; the tree binner cannot take it as all-NaN."""
    X = np.array(X, dtype=float, copy=True)
    X[:, np.isnan(X).all(axis=0)] = 0.0
    return X


def _empty_filled():
    return FunctionTransformer(_fill_empty)


def _logistic():
    return make_pipeline(_empty_filled(),
                         SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                         StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))


def _boosting(**kw):
    return make_pipeline(_empty_filled(), HistGradientBoostingClassifier(random_state=SEED, **kw))


class ProductModel(ClassifierMixin, BaseEstimator):
    """Calibrated logistic regression and calibrated gradient boosting, probabilities averaged."""

    def __init__(self, calibration: str = "auto"):
        self.calibration = calibration

    def fit(self, X, y):
        y = np.asarray(y, dtype=int)
        method = self.calibration if self.calibration != "auto" else ("isotonic" if len(y) >= 5000 else "sigmoid")
        cv = max(2, min(3, int(min(y.sum(), len(y) - y.sum()))))
        self.members_ = [
            CalibratedClassifierCV(_logistic(), method=method, cv=cv).fit(X, y),
            CalibratedClassifierCV(_boosting(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                             min_samples_leaf=40, l2_regularization=1.0),
                                   method=method, cv=cv).fit(X, y),
        ]
        self.classes_ = np.array([0, 1])
        self.method_ = method
        return self

    def predict_proba(self, X):
        p = np.mean([m.predict_proba(X)[:, 1] for m in self.members_], axis=0)
        return np.column_stack([1 - p, p])


def baselines() -> dict:
    """The plain learners the product model is compared with, fitted in the same run on the same columns."""
    return {LOGISTIC: _logistic(), BOOSTING: _boosting()}


def probability(model, X) -> np.ndarray:
    return model.predict_proba(X)[:, 1]


def grouped_folds(y, groups, folds: int = FOLDS):
    n = min(folds, int(y.sum()), int(len(y) - y.sum()))
    if n < 2:
        raise ValueError("too few churned (or staying) customers for a 5-fold customer hold-out")
    return list(StratifiedGroupKFold(n_splits=n, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y, groups))


def out_of_fold(make, X, y, groups, folds=None) -> np.ndarray:
    """Each customer's probability from a model that never saw that customer (any of its scan dates)."""
    folds = folds or grouped_folds(y, groups)
    p = np.full(len(y), np.nan)
    for fit_idx, score_idx in folds:
        model = clone(make).fit(X[fit_idx], y[fit_idx])
        p[score_idx] = probability(model, X[score_idx])
    return p


def recall_at_top(y, p, share: float = TOP_SHARE) -> float:
    k = max(1, int(round(len(p) * share)))
    top = np.argsort(-p, kind="stable")[:k]
    return float(y[top].sum() / max(1, y.sum()))


def metrics(y, p) -> dict:
    if not 0 < y.sum() < len(y):
        return {"roc_auc": None, "pr_auc": None, "recall_top20": None, "customers": int(len(y)),
                "churned": int(y.sum())}
    return {"roc_auc": round(float(roc_auc_score(y, p)), 4), "pr_auc": round(float(average_precision_score(y, p)), 4),
            "recall_top20": round(recall_at_top(y, p), 4), "customers": int(len(y)), "churned": int(y.sum())}


def single_feature_auc(X, y, names) -> dict[str, float]:
    """Each feature alone as a score (unknown = the median): how well it separates the outcome."""
    result = {}
    for j, name in enumerate(names):
        column = X[:, j].copy()
        known = np.isfinite(column)
        if not known.any() or not 0 < y.sum() < len(y):
            continue
        column[~known] = np.median(column[known])
        if np.ptp(column) == 0:
            continue
        result[name] = round(float(roc_auc_score(y, column)), 4)
    return result


def leakage_check(X, y, names) -> dict[str, float]:
    """Single-feature AUCs; raises LeakageError naming a feature that alone (nearly) is the outcome."""
    aucs = single_feature_auc(X, y, names)
    leaks = {k: v for k, v in aucs.items() if max(v, 1 - v) >= LEAKAGE_AUC}
    if leaks:
        named = ", ".join(f"{k} {v:.3f}" for k, v in sorted(leaks.items()))
        raise LeakageError(f"features derived from the outcome (single-feature AUC ≥ {LEAKAGE_AUC:.2f}): {named}")
    return aucs


def explain(model, X, names, medians, top: int = 3) -> list[list[dict]]:
    """Per row, the features that raise its probability most: the drop when the feature is set to the training
    median (model-agnostic; one prediction of the whole chunk per feature, no loop over rows)."""
    if not len(X):
        return []
    base = probability(model, X)
    deltas = np.zeros_like(X, dtype=float)
    for j in range(X.shape[1]):
        neutral = X.copy()
        neutral[:, j] = medians[j]
        deltas[:, j] = base - probability(model, neutral)
    order = np.argsort(-deltas, axis=1)[:, :top]
    result = []
    for i, js in enumerate(order):
        result.append([{"feature": names[j], "value": None if not np.isfinite(X[i, j]) else round(float(X[i, j]), 2),
                        "effect": round(float(deltas[i, j]), 4)} for j in js if deltas[i, j] > 0])
    return result
