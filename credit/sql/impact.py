"""The impact preview's and the population stability's statements over a chunk of customers (credit.impact): the
rating's own compiled model (credit.sql.scoring) over the features (credit.sql.features)."""

from credit.models import ScoringModel
from credit.sql.features import features_cte
from credit.sql.scoring import INITIAL_LIMIT, bin_condition, compile_base_model, score_sql, star_sql

# Each feature source is grouped by customer (usage also by month) over an index in that order: streaming group
# aggregates read it in order, where hash aggregates rebuilt ~1M-row tables a chunk.
HASHAGG_OFF_SQL = "SET LOCAL enable_hashagg = off"
# The customers both read: every open one.
OPEN = "c.status <> 'closed'"


def set_local_sql(setting: str) -> str:
    """A planner setting for the transaction (a bench's, e.g. "max_parallel_workers_per_gather = 0")."""
    return f"SET LOCAL {setting}"


PREVIEW_SQL = """
    WITH {features},
    scored AS MATERIALIZED (  -- only the score: not the factor values nor the points a rating keeps
        SELECT f.credit_star, f.credit_limit, f."tenure_months", {score} AS score FROM features f
    ),
    moves AS (
        SELECT coalesce(s.credit_star, {unrated}) AS old_star,
               CASE WHEN s."tenure_months" < {min_tenure} THEN {unrated} ELSE {star_case} END AS new_star,
               s.credit_limit AS old_limit
        FROM scored s
    )
    SELECT old_star, new_star, count(*),
           coalesce(sum(CASE WHEN new_star <> old_star THEN {initial_limit} - old_limit ELSE 0 END), 0)
    FROM moves GROUP BY 1, 2"""


def preview_sql(model: ScoringModel, params: dict, *, unrated: int, min_tenure: int) -> str:
    """Customers per (old star, new star) and the change in granted credit, over a chunk."""
    # The score is the rating's own points cases (score_sql) over features read once (MATERIALIZED: every bin
    # reads its feature), kept narrow and MATERIALIZED so that the star's cut-offs do not re-evaluate it.
    return PREVIEW_SQL.format(features=features_cte(OPEN, materialized=True),
                              score=score_sql(model, params), unrated=unrated, min_tenure=min_tenure,
                              star_case=star_sql(model, "s.score"),
                              initial_limit=INITIAL_LIMIT.format(star="new_star"))


def _bin_case(factor, params: dict) -> str:
    """The index of the factor's bin a customer falls in ('none' when no bin matches), as text."""
    whens = [f"WHEN {bin_condition(factor, i, b, params, prefix='sbin')} THEN '{i}'"
             for i, b in enumerate(factor.bins.all())]
    return f"(CASE {' '.join(whens)} ELSE 'none' END)"


def stability_sql(model: ScoringModel, factors: list, params: dict, *, score: str) -> str:
    """Customers per bin of the star (variable `score`) and of each factor's bins, over a chunk."""
    pairs = ", ".join([f"'{score}', s.new_star::text"] + [f"'{f.feature}', {_bin_case(f, params)}" for f in factors])
    return f"""WITH {features_cte(OPEN, materialized=True)}, {compile_base_model(model, params)}
                SELECT v.key, v.value, count(*)
                FROM scored s JOIN features f USING (id), jsonb_each_text(jsonb_build_object({pairs})) v
                GROUP BY 1, 2"""
