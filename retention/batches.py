"""The nightly retention scan as a resumable, apply-once batch run (period = the scan date)."""

import json
from datetime import date

import numpy as np
from django.db import connection

from core.batches import batch_register
from retention import learned, product, selectors, signals
from retention.signals import SCAN_CHUNK
from retention.sql import JIT_OFF, NO_PARALLEL_WORKERS
from retention.sql import signals as signal_sql

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
        cur.execute(JIT_OFF)
        cur.execute(NO_PARALLEL_WORKERS)
        signal_sql.refresh_usage_signals(cur, params)  # only customers whose usage or month changed
        if model_row and model_row.feature_set == product.HONEST:
            _predict_chunk_honest(cur, model_row, params, today)
        elif model_row:
            _predict_chunk(cur, model_row, params)
        cur.execute(signal_sql.scan_sql(config.signals, params, learned=model_row is not None), params)
        return cur.rowcount


def _predict_chunk(cur, model_row, params: dict):
    """Signal values of the chunk into a temp table (computed once), the model's probabilities into params."""
    cur.execute(signal_sql.SCAN_VALUES_DROP)
    cur.execute(signal_sql.SCAN_VALUES_CREATE, params)
    cur.execute(signal_sql.SCAN_VALUES_FEATURES, params)
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
    cur.execute(signal_sql.SCAN_VALUES_DROP)
    cur.execute(signal_sql.SCAN_VALUES_CREATE, params)
    cur.execute(signal_sql.SCAN_VALUES_OPEN_IDS)
    chunk_ids = [row[0] for row in cur.fetchall()]
    ids, probabilities, why = product.churn_model_score(
        model_row, chunk_ids, today, explain_from=model_row.alert_probability) if chunk_ids else ([], [], [])
    params.update(learned_ids=[int(i) for i in ids], learned_p=[round(float(p), 4) for p in probabilities],
                  learned_x=[json.dumps(w, ensure_ascii=False) for w in why],
                  alert_probability=model_row.alert_probability)


@batch_register(SCAN_KIND, table="customers_customer", chunk_size=SCAN_CHUNK)
def scan(lo: int, hi: int, run) -> int:
    return scan_chunk(lo, hi, date.fromisoformat(run.period))
