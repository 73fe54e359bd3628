"""The nightly retention scan as a resumable, apply-once batch run (period = the scan date)."""

import json
from datetime import date

import numpy as np
from django.db import connection

from core.batches import batch_register
from retention import learned, product, selectors, signals
from retention.signals import SCAN_CHUNK

SCAN_KIND = "retention.scan"


WEIGHTED = "weighted"


def scan_chunk(lo: int, hi: int, today: date) -> int:
    """Score customers with id in [lo, hi) on `today` and open their alerts; returns alerts opened.

    With an active learned model (it beat the weighted score on unseen outcomes) the model decides
    who is alerted; the weighted signals still explain why.
    """
    config = selectors.scan_config()
    model_row = learned.active_model()
    params = {"lo": lo, "hi": hi, "alert_threshold": config.alert_threshold, "note": "nightly scan",
              "scored_by": model_row.label if model_row else WEIGHTED,
              **signals.window_params(today, cooldown_days=config.cooldown_days)}
    with connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # compiling this statement costs more (~0.6 s) than JIT saves
        # The chunk is the unit of parallel work (workers share a run); within it, parallel workers each
        # recomputed the whole usage aggregate for the merge join (values for the learned model: 736 -> 382 ms).
        cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        signals.refresh_usage_signals(cur, params)  # only customers whose usage or month changed
        if model_row and model_row.feature_set == product.HONEST:
            _predict_chunk_honest(cur, model_row, params, today)
        elif model_row:
            _predict_chunk(cur, model_row, params)
        cur.execute(signals.scan_sql(config.signals, params, learned=model_row is not None), params)
        return cur.rowcount


def _predict_chunk(cur, model_row, params: dict):
    """Signal values of the chunk into a temp table (computed once), the model's probabilities into params."""
    cur.execute(f"DROP TABLE IF EXISTS {signals.SCAN_VALUES}")
    cur.execute(f"CREATE TEMP TABLE {signals.SCAN_VALUES} ON COMMIT DROP AS "
                f"WITH {signals.values_cte(cached=True)} SELECT * FROM signal_values", params)
    cur.execute(f"SELECT id, {signals.features_sql()} FROM {signals.SCAN_VALUES} ORDER BY id", params)
    rows = cur.fetchall()
    ids = [row[0] for row in rows]
    features = np.array([row[1:] for row in rows], dtype=float).reshape(len(rows), len(learned.FEATURE_NAMES))
    probabilities = (learned.learned_model_predict(learned.learned_model_load(model_row), features) if rows
                     else np.empty(0))
    params.update(learned_ids=ids, learned_p=[round(float(p), 4) for p in probabilities],
                  learned_x=["[]"] * len(ids), alert_probability=model_row.alert_probability)


def _predict_chunk_honest(cur, model_row, params: dict, today: date):
    """The product model on the honest features as of today; the alerted rows get their explanation (Chinese
    labels, the values and how much each raised the probability)."""
    cur.execute(f"DROP TABLE IF EXISTS {signals.SCAN_VALUES}")
    cur.execute(f"CREATE TEMP TABLE {signals.SCAN_VALUES} ON COMMIT DROP AS "
                f"WITH {signals.values_cte(cached=True)} SELECT * FROM signal_values", params)
    cur.execute(f"SELECT id FROM {signals.SCAN_VALUES} WHERE status <> 'closed'")
    chunk_ids = [row[0] for row in cur.fetchall()]
    ids, probabilities, why = product.churn_model_score(
        model_row, chunk_ids, today, explain_from=model_row.alert_probability) if chunk_ids else ([], [], [])
    params.update(learned_ids=[int(i) for i in ids], learned_p=[round(float(p), 4) for p in probabilities],
                  learned_x=[json.dumps(w, ensure_ascii=False) for w in why],
                  alert_probability=model_row.alert_probability)


@batch_register(SCAN_KIND, table="customers_customer", chunk_size=SCAN_CHUNK)
def scan(lo: int, hi: int, run) -> int:
    return scan_chunk(lo, hi, date.fromisoformat(run.period))
