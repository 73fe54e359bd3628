"""Train, register, score and monitor the product churn model (honest features, voluntary churn).

`train` runs the protocol of `churn_model` on one or more scan dates and stores a LearnedModel version with
its training window, features, metrics, alert threshold (by capacity) and the reference distributions for the
PSI. A new version is the challenger (scored nightly in shadow); publishing it is a four-eyes decision
(retention.publication) that makes it the champion the nightly scan alerts by, and records who approved it.
"""

import io
import json
from dataclasses import dataclass, field
from datetime import date

import joblib
import numpy as np
import sklearn
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max

from core import stability
from retention import churn_model, features, policies
from retention.models import LearnedModel, ModelStability, ShadowComparison

HONEST = "honest-v1"
VOLUNTARY = "voluntary"
HORIZON_DAYS = 30
SCORE = "score"


@dataclass
class Report:
    scan_dates: list
    customers: int = 0
    voluntary: int = 0
    involuntary: int = 0
    features: list = field(default_factory=list)
    single_feature_auc: dict = field(default_factory=dict)
    holdout: dict = field(default_factory=dict)  # {model name: metrics} on 5 folds grouped by customer
    out_of_time: dict = field(default_factory=dict)  # {model name: metrics} fitted before, scored on the last date
    involuntary_holdout: dict = field(default_factory=dict)
    alert_probability: float = 1.0
    threshold_basis: str = ""
    stored: object = None


def stacked(scan_dates, horizon_days: int = HORIZON_DAYS):
    """Frames of every scan date with outcomes: (frames, X, voluntary y, involuntary y, customer groups, date idx)."""
    frames = [features.frame(d, horizon_days=horizon_days) for d in scan_dates]
    X = np.vstack([f.X for f in frames]) if frames else np.empty((0, 0))
    vol = np.concatenate([f.voluntary for f in frames])
    inv = np.concatenate([f.involuntary for f in frames])
    groups = np.concatenate([f.ids for f in frames])
    when = np.concatenate([np.full(len(f), i) for i, f in enumerate(frames)])
    return frames, X, vol, inv, groups, when


def churn_model_evaluate(X, y, groups, *, with_baselines: bool = True) -> dict:
    """ROC-AUC, PR-AUC and recall in the top 20 % on held-out customers (5 folds grouped by customer), for the
    product model and (same folds, same columns) the two baselines."""
    folds = churn_model.grouped_folds(y, groups)
    models = {churn_model.PRODUCT: churn_model.ProductModel()}
    if with_baselines:
        models.update(churn_model.baselines())
    return {name: churn_model.metrics(y, churn_model.out_of_fold(m, X, y, groups, folds)) for name, m in models.items()}


PROBE_CUSTOMERS = 2000


def _probe_after_scan(frame) -> None:
    """Fail when a feature reads facts dated after the scan date: remove them (rolled back) and recompute."""
    rng = np.random.default_rng(0)
    churned = frame.ids[frame.voluntary | frame.involuntary]
    others = frame.ids[~(frame.voluntary | frame.involuntary)]
    sample = np.concatenate([churned[:PROBE_CUSTOMERS // 2],
                             rng.permutation(others)[:PROBE_CUSTOMERS - min(len(churned), PROBE_CUSTOMERS // 2)]])
    moved = features.after_scan_probe(frame.scan, sample)
    if moved:
        raise churn_model.LeakageError(f"features computed from facts after the scan date {frame.scan}: "
                                       f"{', '.join(moved)}")


def _reference(model, X, names) -> dict:
    """Decile edges and counts of the score and each input on the training data: the PSI's expected side."""
    p = churn_model.probability(model, X)
    ref = {}
    for name, values in [(SCORE, p), *((n, X[:, j]) for j, n in enumerate(names))]:
        edges = stability.quantile_edges(values)
        ref[name] = {"edges": edges, "counts": stability.bin_counts(values, edges)}
    return ref


def managers_count() -> int:
    return get_user_model().objects.filter(book__isnull=False).distinct().count() or 1


def churn_model_train(scan_dates: list[date], *, horizon_days: int = HORIZON_DAYS,
                      per_manager_week: int = policies.ALERTS_PER_MANAGER_WEEK, store: bool = True) -> Report:
    scan_dates = sorted(scan_dates)
    frames, X, vol, inv, groups, when = stacked(scan_dates, horizon_days)
    report = Report(scan_dates, customers=len(vol), voluntary=int(vol.sum()), involuntary=int(inv.sum()),
                    features=features.feature_names())
    keep = ~inv  # the voluntary model: arrears closures are the credit side's, not a retention target
    Xv, yv, gv, wv = X[keep], vol[keep], groups[keep], when[keep]
    if not 2 <= yv.sum() <= len(yv) - 2:
        raise ValueError("too few voluntary churners (or stayers) in the scan window to train")
    report.single_feature_auc = churn_model.leakage_check(Xv, yv, report.features)  # raises on a leak
    _probe_after_scan(frames[-1])
    report.holdout = churn_model_evaluate(Xv, yv, gv)
    if inv.sum() >= churn_model.MIN_CHURNERS:
        report.involuntary_holdout = churn_model_evaluate(X, inv, groups, with_baselines=False)
    if len(scan_dates) >= 2:
        last = wv == wv.max()
        fitted = churn_model.ProductModel().fit(Xv[~last], yv[~last])
        report.out_of_time = {churn_model.PRODUCT: churn_model.metrics(
            yv[last], churn_model.probability(fitted, Xv[last]))}
    model = churn_model.ProductModel().fit(Xv, yv)
    latest = frames[-1]
    alerts = policies.capacity_alerts(managers=managers_count(), per_manager_week=per_manager_week,
                                      days=horizon_days)
    report.alert_probability = round(policies.capacity_threshold(churn_model.probability(model, latest.X), alerts), 4)
    report.threshold_basis = (f"{policies.CAPACITY}: {per_manager_week} alerts per manager per week × "
                              f"{managers_count()} managers × {horizon_days} days = {alerts} alerts "
                              f"on {latest.scan} ({len(latest):,} customers)")
    if store:
        report.stored = _store(report, model, Xv, frames)
    return report


def _store(report: Report, model, X, frames):
    """A new version, stored as the challenger (publishing it is four eyes: retention.publication)."""
    buffer = io.BytesIO()
    medians = [float(np.median(c[np.isfinite(c)])) if np.isfinite(c).any() else 0.0 for c in X.T]
    joblib.dump({"model": model, "medians": medians}, buffer)
    product = report.holdout[churn_model.PRODUCT]
    with transaction.atomic():
        version = (LearnedModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        LearnedModel.objects.filter(challenger=True).update(challenger=False)
        return LearnedModel.objects.create(
            version=version, kind=churn_model.PRODUCT, trained_on=report.scan_dates[0],
            validated_on=report.scan_dates[-1], train_customers=report.customers,
            validation_customers=report.customers, weighted_auc=0.0, learned_auc=product["roc_auc"] or 0.0,
            feature_names=report.features, coefficients={}, library_version=sklearn.__version__,
            blob=buffer.getvalue(), alert_probability=report.alert_probability, feature_set=HONEST, target=VOLUNTARY,
            challenger=True, active=False, data_from=report.scan_dates[0], data_to=report.scan_dates[-1],
            metrics=json.loads(json.dumps({"holdout": report.holdout, "out_of_time": report.out_of_time,
                                           "involuntary_holdout": report.involuntary_holdout,
                                           "single_feature_auc": report.single_feature_auc,
                                           "voluntary": report.voluntary, "involuntary": report.involuntary})),
            threshold_basis=report.threshold_basis, reference=_reference(model, X, report.features))


_LOADED: dict = {}


def churn_model_load(row) -> dict:
    if row.feature_names != features.feature_names():
        raise ValueError(f"model v{row.version} was trained on other features: retrain it")
    if row.version not in _LOADED:
        _LOADED.clear()
        _LOADED[row.version] = joblib.load(io.BytesIO(bytes(row.blob)))
    return _LOADED[row.version]


def churn_model_score(row, ids, scan: date, *, explain_from: float | None = None):
    """(ids, probabilities, explanations) of `ids` on `scan`; explanations only for p ≥ explain_from."""
    loaded = churn_model_load(row)
    frame = features.frame(scan, ids=ids)
    p = churn_model.probability(loaded["model"], frame.X) if len(frame) else np.empty(0)
    explanations = [[] for _ in range(len(p))]
    if explain_from is not None and len(p):
        hot = np.flatnonzero(p >= explain_from)
        for i, why in zip(hot, churn_model.explain(loaded["model"], frame.X[hot], frame.names, loaded["medians"]),
                          strict=True):
            labels = features.labels_zh()
            explanations[i] = [{**w, "label": labels.get(w["feature"], w["feature"])} for w in why]
    return frame.ids, p, explanations


def stability_record(*, row, month: date) -> list:
    """PSI of the score and each input for the month's customers against the training distribution."""
    month = month.replace(day=1)
    loaded = churn_model_load(row)
    frame = features.frame(month)
    p = churn_model.probability(loaded["model"], frame.X) if len(frame) else np.empty(0)
    rows = []
    for name, values in [(SCORE, p), *((n, frame.X[:, j]) for j, n in enumerate(frame.names))]:
        ref = row.reference.get(name)
        if not ref:
            continue
        counts = stability.bin_counts(values, ref["edges"])
        reading, _ = ModelStability.objects.update_or_create(
            learned_model=row, month=month, variable=name,
            defaults={"psi": stability.psi(ref["counts"], counts), "counts": counts})
        rows.append(reading)
    return rows


def shadow_compare(*, day: date):
    """Score the challenger beside the champion on `day` (read-only for customers) and keep the comparison."""
    challenger = LearnedModel.objects.filter(challenger=True, feature_set=HONEST).first()
    if challenger is None:
        return None
    frame = features.frame(day)
    if not len(frame):
        return None
    p_new = churn_model.probability(churn_model_load(challenger)["model"], frame.X)
    champion = LearnedModel.objects.filter(active=True, feature_set=HONEST).first()
    if champion:
        p_old = churn_model.probability(churn_model_load(champion)["model"], frame.X)
        old_alerts = p_old >= champion.alert_probability
        rho = float(np.corrcoef(np.argsort(np.argsort(p_old)), np.argsort(np.argsort(p_new)))[0, 1]) \
            if len(frame) > 1 else None
    else:
        old_alerts, rho = np.zeros(len(frame), bool), None
    new_alerts = p_new >= challenger.alert_probability
    comparison, _ = ShadowComparison.objects.update_or_create(
        day=day, challenger=challenger, defaults={
            "champion": champion, "customers": len(frame), "champion_alerts": int(old_alerts.sum()),
            "challenger_alerts": int(new_alerts.sum()), "both": int((old_alerts & new_alerts).sum()),
            "rank_correlation": None if rho is None or np.isnan(rho) else round(rho, 4)})
    return comparison
