"""Monthly base rating and half-yearly guidance re-rating as resumable, apply-once batch runs."""

from datetime import date

from django.db import connection

from core import clock
from core.batches import batch_register
from credit import policies, scoring
from credit.choices import RatingKind
from credit.selectors import scoring_model_published
from credit.sql.features import features_cte
from credit.sql.messages import rating_messages_enqueue_sql
from credit.sql.scoring import (
    ELIGIBLE_BASE, ELIGIBLE_GUIDANCE, JIT_OFF_SQL, apply_sql, compile_base_model, compile_guidance,
    guidance_scored_cte,
)
from customers.policies import months_ago

# ~1 s per 50k customers with their 12 months of usage, bills and status changes (2-core dev machine).
RATING_CHUNK = 50_000
BASE_KIND = "credit.base"
GUIDANCE_KIND = "credit.guidance"


def period_anchor(period: str) -> date:
    """First day of the period: "2026-11" (monthly) or "2026-H2" (half-year)."""
    year, part = period.split("-")
    month = 1 if part == "H1" else 7 if part == "H2" else int(part)
    return date(int(year), month, 1)


def _apply(decided_cte: str, params: dict, *, kind: str) -> int:
    """Write the chunk's decisions and queue their touchpoint SMS in the chunk's transaction, dated at the business
    clock's moment (the wall clock; a replayed night's 00:30 in a replay)."""
    params = {**params, "now": clock.now()}
    with connection.cursor() as cur:
        # The generated statement is large: JIT-compiling it costs more than it saves (as in retention/batches.py).
        cur.execute(JIT_OFF_SQL)
        cur.execute(apply_sql(decided_cte, kind=kind), params)
        changed = cur.rowcount
        if changed:
            cur.execute(rating_messages_enqueue_sql(), params)
    return changed


@batch_register(BASE_KIND, table="customers_customer", chunk_size=RATING_CHUNK,
                analyze=("customers_customer", "credit_rating"))
def rate_base(lo: int, hi: int, run) -> int:
    """Base model over unrated and 0★ customers that qualify (tenure ≥ 6 months, not blacklisted)."""
    model = scoring_model_published()
    if model is None:
        raise RuntimeError("No published scoring model")
    today = period_anchor(run.period)
    params = {"lo": lo, "hi": hi, "run_id": run.pk, "model_id": model.pk, "policy_version": f"base-v{model.version}",
              "since_min_tenure": months_ago(today, policies.MIN_TENURE_MONTHS),
              **scoring.window_params(today, run=run)}
    decided = features_cte(ELIGIBLE_BASE, materialized=True) + "," + compile_base_model(model, params)
    return _apply(decided, params, kind=RatingKind.BASE)


@batch_register(GUIDANCE_KIND, table="customers_customer", chunk_size=RATING_CHUNK,
                analyze=("customers_customer", "credit_rating"))
def rate_guidance(lo: int, hi: int, run) -> int:
    """Guidance rules over 1–5★ customers: move limits within range and stars up or down (score_up by the
    published base model's score as of the run)."""
    today = period_anchor(run.period)
    model = scoring_model_published()  # the credit evaluation score_up reads (its rating records the version)
    params = {"lo": lo, "hi": hi, "run_id": run.pk, "model_id": model.pk if model else None,
              "policy_version": policies.GUIDANCE_VERSION, **scoring.window_params(today, run=run)}
    decided = ",".join((features_cte(ELIGIBLE_GUIDANCE, materialized=True), guidance_scored_cte(model, params),
                        compile_guidance("scored_features")))
    return _apply(decided, params, kind=RatingKind.GUIDANCE)
