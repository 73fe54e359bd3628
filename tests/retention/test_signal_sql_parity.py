"""One scenario table through both interpreters of the retention signals: `retention.policies` (fired_signals,
risk_score: the Python the pages and tests use) and the nightly scan's compiled SQL (retention.sql.signals.score_sql
over `signal_values`). Same score and same fired signals for every row (#17 item 4)."""

import json
import random
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection

from retention import policies
from retention.sql import signals

# every signal on (the defaults leave some off): each must be compiled the same way
ALL_ON = {code: replace(s, enabled=True) for code, s in policies.DEFAULT_SIGNALS.items()}
CONFIGS = {"defaults": policies.DEFAULT_SIGNALS, "all_enabled": ALL_ON}


def scenarios() -> list[dict]:
    """Per signal: no data, just below, at and just above its threshold; then seeded random combinations."""
    codes = list(policies.DEFAULT_SIGNALS)

    def around(s):
        return [None, s.threshold - Decimal("0.01"), s.threshold, s.threshold + Decimal("0.01")]

    rows = []
    for code, s in policies.DEFAULT_SIGNALS.items():
        rows += [{c: (v if c == code else None) for c in codes} for v in around(s)]
    rng = random.Random(17)
    for _ in range(300):
        rows.append({c: rng.choice(around(s)) for c, s in policies.DEFAULT_SIGNALS.items()})
    return rows


def score_in_sql(rows: list[dict], config) -> list[tuple[int, dict]]:
    codes = list(policies.DEFAULT_SIGNALS)
    params: dict = {}
    score, fired = signals.score_sql(config, params)
    columns = ", ".join(f"%(v_{c})s::numeric[]" for c in codes)
    sql = f"""SELECT {score}, {fired} FROM unnest(%(i)s::int[], {columns}) AS signal_values(i, {", ".join(codes)})
              ORDER BY i"""
    params.update({"i": list(range(len(rows))), **{f"v_{c}": [r[c] for r in rows] for c in codes}})
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [(int(s), f if isinstance(f, dict) else json.loads(f)) for s, f in cur.fetchall()]


@pytest.mark.django_db
@pytest.mark.parametrize("config", list(CONFIGS), ids=list(CONFIGS))
def test_the_scan_sql_scores_every_scenario_as_the_policy_does(config):
    signal_set = CONFIGS[config]
    rows = scenarios()
    in_sql = score_in_sql(rows, signal_set)
    differ = []
    for row, (score, fired) in zip(rows, in_sql, strict=True):
        expected = policies.fired_signals(row, signal_set)
        if (score, set(fired)) != (policies.risk_score(expected, signal_set), set(expected)):
            differ.append((row, (score, fired), expected))
    assert not differ, differ[:3]
    assert any(score for score, _ in in_sql) and any(not score for score, _ in in_sql)
