"""The nightly enterprise segmentation as a resumable, apply-once batch run (period = the evaluation date).

Per chunk of account ids, one SQL statement computes every signal's value from the monthly snapshots and
the agreements, keeps the enabled rules that fire, tags the accounts and opens alerts for their managers;
then the computed class of the chunk is refreshed (inputs read in one query, scored by the pure policy,
written back in one UPDATE).
"""

import json
from datetime import date

from django.db import connection

from core import batches
from core.batches import batch_register
from enterprise import policies, selectors, sql

SEGMENT_KIND = "enterprise.segment"
SEGMENT_CHUNK = 5_000  # accounts; a province has ~2,000 groups per million customers


def segment_chunk(lo: int, hi: int, today: date) -> int:
    """Tag accounts with id in [lo, hi) and open their alerts; refresh their computed class. Returns alerts."""
    params = {"lo": lo, "hi": hi, **sql.month_params(today), **sql.rule_params()}
    with connection.cursor() as cur:
        cur.execute(sql.SEGMENT_SQL.format(value_rows=sql.value_rows()), params)
        opened = cur.rowcount
    classes_refresh(lo, hi, today)
    return opened


def classes_refresh(lo: int, hi: int, today: date) -> int:
    """Computed class, score and factors of accounts in [lo, hi) under the active class policy."""
    policy_row = selectors.active_class_policy()
    policy = policy_row.as_policy()
    inputs = selectors.class_inputs(lo, hi, today)
    if not inputs:
        return 0
    ids, classes, scores, factors = [], [], [], []
    for pk, values in inputs.items():
        result = policies.score_class(values, policy)
        ids.append(pk)
        classes.append(result.klass)
        scores.append(result.score)
        factors.append(_json(result.factors_json()))
    with connection.cursor() as cur:
        cur.execute(sql.CLASS_UPDATE_SQL, {"ids": ids, "classes": classes, "scores": scores, "factors": factors,
                                   "version": policy_row.version, "today": today})
        return cur.rowcount


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


@batch_register(SEGMENT_KIND, table="enterprise_enterpriseaccount", chunk_size=SEGMENT_CHUNK)
def segment(lo: int, hi: int, run) -> int:
    return segment_chunk(lo, hi, date.fromisoformat(run.period))


def segment_in_process(day: date) -> int:
    """Run (or finish) the day's segmentation here, without workers: for the demo set-up and tests."""
    return batches.batch_run_in_process(SEGMENT_KIND, day.isoformat()).rows_affected
