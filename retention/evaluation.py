"""How well the weighted score predicts churn: AUC for churn in the month after a past scan date.

The score is computed as of the first day of a past month from data before it (usage months,
bills due and devices started before that day), and compared with who closed their lines during
that month. The weighted model is not trained, so every customer is out of sample.
Caveat: bills are judged by today's paid amount, not the amount paid by the scan date.
"""

from datetime import date

from django.db import connection

from customers.policies import months_ago
from retention import policies, signals
from retention.sql import JIT_OFF
from retention.sql.signals import OUTCOME_CTE, OUTCOME_SQL, score_sql, values_cte

def outcome_params(lo: int, hi: int, as_of: date) -> dict:
    """Query parameters for the signals as of the 1st of `as_of`'s month and the outcome during that month."""
    as_of = as_of.replace(day=1)
    return {"lo": lo, "hi": hi, "next_month": months_ago(as_of, -1), **signals.window_params(as_of, cooldown_days=0)}


def score_outcome_counts(lo: int, hi: int, as_of: date, signal_defs=policies.DEFAULT_SIGNALS) -> list[tuple]:
    """(score, churned next month, customers) for customers with id in [lo, hi) open on `as_of`."""
    params = outcome_params(lo, hi, as_of)
    score, _ = score_sql(signal_defs, params)
    with connection.cursor() as cur:
        cur.execute(JIT_OFF)
        cur.execute(OUTCOME_SQL.format(values=values_cte(), score=score, outcome=OUTCOME_CTE), params)
        return cur.fetchall()


def auc(counts: list[tuple]) -> float | None:
    """Area under the ROC curve from (score, positive, n) rows; ties count half (Mann–Whitney)."""
    by_score: dict = {}
    for score, positive, n in counts:
        pos_neg = by_score.setdefault(score, [0, 0])
        pos_neg[0 if positive else 1] += n
    positives = sum(p for p, _ in by_score.values())
    negatives = sum(n for _, n in by_score.values())
    if not positives or not negatives:
        return None
    wins, negatives_below = 0.0, 0
    for score in sorted(by_score):
        p, n = by_score[score]
        wins += p * (negatives_below + n / 2)
        negatives_below += n
    return wins / (positives * negatives)
