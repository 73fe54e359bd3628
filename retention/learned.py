"""A learned churn model, trained on the province's own history and used only when it beats the weighted score.

Features are the signal inputs (`retention.sql.signals.FEATURES`) as of the 1st of a month; the label is the
outcome of `evaluation` (a line closed during that month; customers gone before are left out).
Two learners are fitted on one month (stratified sample, fixed seed): a standardised logistic
regression and a histogram gradient boosting. The better of the two on a held-out quarter of that
month is then compared with the weighted score on a *later* month whose outcomes it never saw; it
is stored (and made active) only when its AUC there is higher.
When a model is active the nightly scan uses it: each chunk's signal values are computed once, the
model's probabilities predicted for the whole chunk at once (numpy, no loop over rows) and handed back
to the chunk's SQL, which opens an alert at `alert_probability` — chosen at training so that the model
opens as many alerts on the validation month as the weighted score would (the managers' workload stays
the same; the alerts go to the customers more likely to leave), or as many as churned when the
weighted score alerts nobody.
Caveat (as for `evaluation`): bills are judged by today's paid amount, not the amount paid then.
"""

import io
import math
import time
from dataclasses import dataclass, field
from datetime import date

import joblib
import numpy as np
import sklearn
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from customers.policies import months_ago
from retention import policies, signals
from retention.signals import SCAN_CHUNK
from retention.evaluation import outcome_params
from retention.sql import CUSTOMER_ID_RANGE, JIT_OFF
from retention.sql.signals import DATASET_SQL, FEATURES, FEATURES_SQL, OUTCOME_CTE, features_sql, score_sql, values_cte
from retention.models import LearnedModel

FEATURE_NAMES = list(FEATURES)
DEFAULT_SAMPLE = 200_000
SEED = 0
LOGISTIC, BOOSTING = "logistic_regression", "gradient_boosting"

@dataclass
class Dataset:
    ids: np.ndarray
    X: np.ndarray  # columns in FEATURE_NAMES order
    y: np.ndarray  # churned during the month
    weighted: np.ndarray  # the weighted score

    def __len__(self):
        return len(self.y)


def _id_range() -> tuple[int | None, int | None]:
    with connection.cursor() as cur:
        cur.execute(CUSTOMER_ID_RANGE)
        return cur.fetchone()


def dataset(as_of: date, signal_defs=policies.DEFAULT_SIGNALS, *, lo: int | None = None,
            hi: int | None = None) -> Dataset:
    """Features, weighted score and outcome of the customers open on the 1st of `as_of`'s month (read-only)."""
    if lo is None or hi is None:
        lo, hi = _id_range()
    rows = []
    if lo is not None:
        with transaction.atomic(), connection.cursor() as cur:  # SET LOCAL needs a transaction
            cur.execute(JIT_OFF)
            for start in range(lo, hi, SCAN_CHUNK):
                params = outcome_params(start, min(start + SCAN_CHUNK, hi), as_of)
                score, _ = score_sql(signal_defs, params)
                cur.execute(DATASET_SQL.format(values=values_cte(), outcome=OUTCOME_CTE, score=score,
                                               features=features_sql()), params)
                rows += cur.fetchall()
    if not rows:
        return Dataset(np.empty(0, int), np.empty((0, len(FEATURE_NAMES))), np.empty(0, bool), np.empty(0))
    ids, score, *features, churned = zip(*rows, strict=True)
    return Dataset(np.array(ids), np.array(features, dtype=float).T, np.array(churned, dtype=bool),
                   np.array(score, dtype=float))


def _auc(y, score) -> float | None:
    return float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else None


def _learners() -> dict:
    return {
        LOGISTIC: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        BOOSTING: HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, random_state=SEED),
    }


def _sample(data: Dataset, n: int) -> Dataset:
    """At most `n` customers, stratified on the outcome, with a fixed seed."""
    if len(data) <= n:
        return data
    keep, _ = train_test_split(np.arange(len(data)), train_size=n, stratify=data.y, random_state=SEED)
    keep.sort()
    return Dataset(data.ids[keep], data.X[keep], data.y[keep], data.weighted[keep])


@dataclass
class TrainingReport:
    train_as_of: date
    validate_as_of: date
    train_customers: int = 0
    train_churned: int = 0
    sample: int = 0
    validation_customers: int = 0
    validation_churned: int = 0
    selection_auc: dict = field(default_factory=dict)  # on the held-out quarter of the training month
    validation_auc: dict = field(default_factory=dict)  # "weighted" and each learner, on the later month
    chosen: str = ""
    alert_probability: float = 1.0  # the chosen model's alert threshold (see matching_threshold)
    stored: object = None  # the LearnedModel row, when the learned model won
    timings: dict = field(default_factory=dict)

    @property
    def beats_weighted(self) -> bool:
        learned, weighted = self.validation_auc.get(self.chosen), self.validation_auc.get("weighted")
        return learned is not None and weighted is not None and learned > weighted


def month_errors(train_as_of: date, validate_as_of: date, today: date | None = None) -> list[str]:
    """Why these dates cannot train and honestly validate a model (empty when they can)."""
    today = today or timezone.localdate()
    errors = [f"{name} {d} is not the 1st of a month" for name, d in
              (("--train-as-of", train_as_of), ("--validate-as-of", validate_as_of)) if d.day != 1]
    if validate_as_of <= train_as_of:
        errors.append("--validate-as-of must be a later month than --train-as-of (outcomes the model never saw)")
    if months_ago(validate_as_of.replace(day=1), -1) > today:
        errors.append(f"the month starting {validate_as_of} is not over yet: its churn outcome is unknown")
    return errors


def learned_model_predict(model, X: np.ndarray) -> np.ndarray:
    """Churn probability for each row of X (columns in FEATURE_NAMES order)."""
    return model.predict_proba(X)[:, 1]


def matching_threshold(probabilities: np.ndarray, alerts: int) -> float:
    """The probability at which `alerts` customers are alerted: as many as the weighted score would alert on
    the validation month or, when that is nobody, as many as actually churned."""
    if alerts <= 0 or not len(probabilities):
        return 1.0
    # floored to the 4 places probabilities are stored with, so the k-th customer stays above it
    return math.floor(float(np.sort(probabilities)[::-1][min(alerts, len(probabilities)) - 1]) * 1e4) / 1e4


def learned_model_train(train_as_of: date, validate_as_of: date, *, sample: int = DEFAULT_SAMPLE,
                        signal_defs=policies.DEFAULT_SIGNALS, alert_threshold: int = policies.ALERT_THRESHOLD,
                        store: bool = True) -> TrainingReport:
    errors = month_errors(train_as_of, validate_as_of)
    if errors:
        raise ValueError("; ".join(errors))
    report = TrainingReport(train_as_of, validate_as_of)
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        report.timings[name] = now - clock
        clock = now

    full = dataset(train_as_of, signal_defs)
    report.train_customers, report.train_churned = len(full), int(full.y.sum())
    lap("load training month")
    data = _sample(full, sample)
    report.sample = len(data)
    if not 2 <= data.y.sum() <= len(data) - 2:
        raise ValueError(f"the training month {train_as_of:%Y-%m} has too few churned or staying customers")
    fit_idx, hold_idx = train_test_split(np.arange(len(data)), test_size=0.25, stratify=data.y, random_state=SEED)
    fitted = {}
    for name, learner in _learners().items():
        fitted[name] = learner.fit(data.X[fit_idx], data.y[fit_idx])
        report.selection_auc[name] = _auc(data.y[hold_idx], learned_model_predict(learner, data.X[hold_idx]))
    report.chosen = max(fitted, key=lambda k: report.selection_auc[k] or 0)
    lap("fit")

    valid = dataset(validate_as_of, signal_defs)
    report.validation_customers, report.validation_churned = len(valid), int(valid.y.sum())
    lap("load validation month")
    report.validation_auc["weighted"] = _auc(valid.y, valid.weighted)
    for name, model in fitted.items():
        report.validation_auc[name] = _auc(valid.y, learned_model_predict(model, valid.X)) if len(valid) else None
    if len(valid):
        weighted_alerts = int((valid.weighted >= alert_threshold).sum())
        report.alert_probability = matching_threshold(learned_model_predict(fitted[report.chosen], valid.X),
                                                      weighted_alerts or report.validation_churned)
    lap("validate")

    if store and report.beats_weighted:
        report.stored = _store(report, fitted[report.chosen], report.validation_auc[report.chosen],
                               report.validation_auc["weighted"])
        lap("store")
    return report


def _coefficients(model) -> dict:
    if not hasattr(model, "named_steps"):
        return {}
    lr = model.named_steps["logisticregression"]
    return {"intercept": float(lr.intercept_[0]),
            **{name: float(c) for name, c in zip(FEATURE_NAMES, lr.coef_[0], strict=True)}}


def _store(report: TrainingReport, model, learned_auc: float, weighted_auc: float):
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    with transaction.atomic():
        LearnedModel.objects.filter(active=True).update(active=False)
        version = (LearnedModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        return LearnedModel.objects.create(
            version=version, kind=report.chosen, trained_on=report.train_as_of, validated_on=report.validate_as_of,
            train_customers=report.sample, validation_customers=report.validation_customers,
            weighted_auc=weighted_auc, learned_auc=learned_auc, feature_names=FEATURE_NAMES,
            coefficients=_coefficients(model), library_version=sklearn.__version__, blob=buffer.getvalue(),
            alert_probability=report.alert_probability, active=True)


def active_model():
    """The active LearnedModel row, or None: then the weighted score is the one to use."""
    return LearnedModel.objects.filter(active=True).first()


_LOADED: dict[int, object] = {}  # version -> fitted model: a scan loads it once, not once per chunk


def learned_model_load(row):
    if row.feature_names != FEATURE_NAMES:
        raise ValueError(f"model v{row.version} was trained on other features: retrain it")
    if row.version not in _LOADED:
        _LOADED.clear()
        _LOADED[row.version] = joblib.load(io.BytesIO(bytes(row.blob)))
    return _LOADED[row.version]


def learned_model_score(ids, as_of: date | None = None, row=None) -> dict[int, float]:
    """{customer id: churn probability next month} with the active (or given) learned model; {} without one."""
    row = row or active_model()
    ids = sorted({int(i) for i in ids})
    if row is None or not ids:
        return {}
    model = learned_model_load(row)
    as_of = as_of or timezone.localdate()
    params = {"lo": ids[0], "hi": ids[-1] + 1, "ids": ids, **signals.window_params(as_of, cooldown_days=0)}
    with connection.cursor() as cur:
        cur.execute(FEATURES_SQL.format(values=values_cte(), features=features_sql()), params)
        rows = cur.fetchall()
    if not rows:
        return {}
    found, *features = zip(*rows, strict=True)
    probabilities = learned_model_predict(model, np.array(features, dtype=float).T)
    return {int(i): round(float(p), 4) for i, p in zip(found, probabilities, strict=True)}
