"""Compile a published factor model and the guidance rules (credit.policies) into set-based SQL over an id
range, and the statement that writes a chunk's decisions with their rating rows and limit events."""

from credit import policies
from credit.choices import CATEGORICAL_FEATURES
from credit.models import ScoringModel
from credit.sql.ending import NOT_CLOSED_OR_BLACKLISTED_SQL
from customers.sql import decision_events_insert_sql

# A large generated statement: JIT-compiling it costs more than it saves.
JIT_OFF_SQL = "SET LOCAL jit = off"
# The customers' id range [lo, hi) a chunked read walks.
CUSTOMER_ID_RANGE_SQL = "SELECT min(id), max(id) + 1 FROM customers_customer"


def _star_case(attr: str) -> str:
    """CASE mapping a star expression to a policy value, e.g. attr="initial_limit"."""
    whens = " ".join(f"WHEN {star} THEN {getattr(p, attr)}" for star, p in policies.STAR_POLICIES.items()
                     if star is not None)
    return f"CASE {{star}} {whens} ELSE 0 END"


INITIAL_LIMIT = _star_case("initial_limit")
LIMIT_MIN = _star_case("limit_min")
LIMIT_MAX = _star_case("limit_max")
# Which month's value deciles a rating read (YYYY-MM-DD, null: not ranked in time, the value unknown).
VALUE_MONTH_JSON = "'value_month', %(value_month)s::date"


def bin_condition(factor, i: int, b, params: dict, *, prefix: str = "cat") -> str:
    """SQL condition of a factor's i-th bin over the feature row `f` (a category as a parameter, a range inline)."""
    col = f'f."{factor.feature}"'
    if factor.feature in CATEGORICAL_FEATURES:
        key = f"{prefix}_{factor.pk}_{i}"
        params[key] = b.category
        return f"{col} = %({key})s"
    parts = ([f"{col} >= {b.lower}"] if b.lower is not None else []) + (
        [f"{col} < {b.upper}"] if b.upper is not None else [])
    return " AND ".join(parts) or "TRUE"


def _points_case(factor, params: dict) -> str:
    whens = [f"WHEN {bin_condition(factor, i, b, params)} THEN {b.points}" for i, b in enumerate(factor.bins.all())]
    return f"(CASE {' '.join(whens)} ELSE 0 END)"


def score_sql(model: ScoringModel, params: dict) -> str:
    """The model's score over one feature row `f`, as one expression: the weighted sum of the same points cases
    the base run keeps per factor (for readers that need only the score, e.g. the impact preview)."""
    factors = list(model.factors.prefetch_related("bins"))
    terms = " + ".join(f"{f.weight} * {_points_case(f, params)}" for f in factors) or "0"
    return f"round(({terms})::numeric, 2)"


def star_sql(model: ScoringModel, score: str) -> str:
    """The star a score reaches by the model's cut-offs (0★ below the lowest)."""
    cutoffs = {c.star: c.min_score for c in model.cutoffs.all()}
    return "CASE " + " ".join(f"WHEN {score} >= {cutoffs[s]} THEN {s}" for s in sorted(cutoffs, reverse=True)) \
        + " ELSE 0 END"


def compile_base_model(model: ScoringModel, params: dict) -> str:
    """SQL for a CTE `scored` over `features`: points per factor, score, star and initial limit."""
    factors = list(model.factors.prefetch_related("bins"))
    points = [(f.feature, _points_case(f, params), f.weight) for f in factors]
    point_cols = ",\n            ".join(f'{case} AS "p_{feature}"' for feature, case, _ in points)
    score = " + ".join(f'{weight} * "p_{feature}"' for feature, _, weight in points) or "0"
    star_case = star_sql(model, "score")
    values_json = ", ".join([f"'{f.feature}', \"{f.feature}\"" for f in factors] + [VALUE_MONTH_JSON])
    points_json = ", ".join(f"'{f.feature}', \"p_{f.feature}\"" for f in factors)
    # MATERIALIZED: inlined, every reference to score/star re-evaluated all the factor CASEs (24 s -> 10 s a chunk).
    return f"""
    pointed AS (
        SELECT f.*,
            {point_cols}
        FROM features f
    ),
    totalled AS MATERIALIZED (
        SELECT p.*, round(({score})::numeric, 2) AS score FROM pointed p
    ),
    scored AS (
        SELECT t.id, t.credit_star AS old_star, t.credit_limit AS old_limit, t.score,
               jsonb_build_object({values_json}) AS factor_values,
               jsonb_build_object({points_json}) AS points,
               {star_case} AS new_star
        FROM totalled t
    ),
    decided AS (
        SELECT s.*, ({INITIAL_LIMIT.format(star="s.new_star")})::numeric(12, 2) AS new_limit,
               ''::text AS rule, 'base model'::text AS reason
        FROM scored s
    )"""


def guidance_scored_cte(model: ScoringModel | None, params: dict) -> str:
    """SQL for a CTE `scored_features`: `features` with the score and the star the published base model gives
    (the credit evaluation the score_up rule reads); both null without a published model."""
    if model is None:
        return "scored_features AS (SELECT f.*, NULL::numeric AS score, NULL::int AS score_star FROM features f)"
    return f"""
    scored_features AS (
        SELECT s.*, {star_sql(model, "s.score")} AS score_star
        FROM (SELECT f.*, {score_sql(model, params)} AS score FROM features f) s
    )"""


def compile_guidance(source: str = "features") -> str:
    """SQL for a CTE `decided` over `source` (the features with `score` and `score_star`) applying
    policies.GUIDANCE_RULES (first match wins)."""
    headroom = LIMIT_MAX.format(star="f.credit_star") + " - f.credit_limit"
    rule_case = "CASE " + " ".join(f"WHEN {rule_sql(r)} THEN '{r.code}'" for r in policies.GUIDANCE_RULES) + " END"
    star_case = "CASE g.rule " + " ".join(
        f"WHEN '{r.code}' THEN least(5, greatest(0, g.credit_star + {r.star_delta}))"
        for r in policies.GUIDANCE_RULES) + " END"
    factor_case = "CASE g.rule " + " ".join(
        f"WHEN '{r.code}' THEN {r.limit_factor}" for r in policies.GUIDANCE_RULES) + " END"
    reason_case = "CASE g.rule " + " ".join(
        f"WHEN '{r.code}' THEN '{_sql_text(r.reason)}'" for r in policies.GUIDANCE_RULES) + " END"
    clamp = "least(greatest(round(g.credit_limit * {factor}), {lo}), {hi})".format(
        factor=factor_case, lo=LIMIT_MIN.format(star="g.credit_star"), hi=LIMIT_MAX.format(star="g.credit_star"))
    keys = ["late_bills_6m", "late_bills_12m", "suspensions_6m", "suspensions_12m", "arrears_days_6m", "spend_trend",
            "value_decile", "customer_value"]
    values_json = (", ".join(f"'{k}', g.\"{k}\"" for k in keys) + ", 'limit_headroom', g.limit_headroom, "
                   "'score', g.score, 'score_star', g.score_star, " + VALUE_MONTH_JSON)
    return f"""
    headroomed AS (
        SELECT f.*, {headroom} AS limit_headroom, f.score_star - f.credit_star AS score_star_gap FROM {source} f
    ),
    guided AS (
        SELECT f.*, {rule_case} AS rule FROM headroomed f
    ),
    moved AS (
        SELECT g.id, g.credit_star AS old_star, g.credit_limit AS old_limit, g.rule, g.score,
               {star_case} AS new_star, {clamp} AS factor_limit, {reason_case} AS reason,
               jsonb_build_object({values_json}) AS factor_values
        FROM guided g WHERE g.rule IS NOT NULL
    ),
    decided AS (
        SELECT m.id, m.old_star, m.old_limit, m.rule, m.reason, m.factor_values, '{{}}'::jsonb AS points,
               m.score, m.new_star,
               (CASE WHEN m.new_star <> m.old_star THEN {INITIAL_LIMIT.format(star="m.new_star")}
                     ELSE m.factor_limit END)::numeric(12, 2) AS new_limit
        FROM moved m
    )"""


def condition_sql(condition: policies.Condition) -> str:
    """A guidance condition (credit.policies, the pure rule) over the feature row `f`."""
    return f'f."{condition.feature}" {condition.op} {condition.value}'


def rule_sql(rule: policies.GuidanceRule) -> str:
    """A guidance rule's conditions, all or any of them (as `GuidanceRule.matches` judges them)."""
    return "(" + (" OR " if rule.any_of else " AND ").join(condition_sql(c) for c in rule.conditions) + ")"


# Neither model ever rates a closed or blacklisted customer (credit.state ends their credit at once).
ELIGIBLE_BASE = ("(c.credit_star IS NULL OR c.credit_star = 0) AND c.join_date <= %(since_min_tenure)s AND "
                 + NOT_CLOSED_OR_BLACKLISTED_SQL)
ELIGIBLE_GUIDANCE = "c.credit_star BETWEEN 1 AND 5 AND " + NOT_CLOSED_OR_BLACKLISTED_SQL


def limit_events_sql(*, source: str, policy_version: str, where: str = "true", at: str = "now()") -> str:
    """credit_limit_changed decision events, one per open line of each customer in `source` (alias s with
    line_id, old_limit, new_limit, rule, new_star): billing applies the new limit (TMF666 creditLimit)."""
    return decision_events_insert_sql(
        source=source, line="s.line_id", kind="'credit_limit_changed'", from_state="s.old_limit::text",
        to_state="s.new_limit::text", rule="s.rule", policy_version=policy_version, where=where, at=at,
        payload="jsonb_build_object('creditLimit', s.new_limit::text, 'previousCreditLimit', s.old_limit::text, "
                "'creditStar', s.new_star)")


def apply_sql(decided_cte: str, *, kind: str) -> str:
    """Write the decided changes and their rating rows in one statement, dated %(now)s (the run's business moment:
    core.clock); returns rows changed."""
    return f"""
    WITH {decided_cte},
    changed AS (
        UPDATE customers_customer c SET credit_star = d.new_star, credit_limit = d.new_limit
        FROM decided d
        WHERE c.id = d.id AND c.id >= %(lo)s AND c.id < %(hi)s  -- the range keeps the planner off a full scan
          AND (c.credit_star IS DISTINCT FROM d.new_star OR c.credit_limit <> d.new_limit)
        RETURNING c.id
    ),
    limit_events AS ({limit_events_sql(source="(SELECT l.id AS line_id, d.old_limit, d.new_limit, d.rule, d.new_star "
                                              "FROM decided d JOIN changed USING (id) "
                                              "JOIN customers_line l ON l.customer_id = d.id AND l.status <> 'closed' "
                                              "WHERE d.old_limit IS DISTINCT FROM d.new_limit) s",
                                       policy_version="%(policy_version)s", at="%(now)s")}
    )
    INSERT INTO credit_rating (customer_id, kind, run_id, scoring_model_id, policy_version, factor_values, points,
                               score, old_star, new_star, old_limit, new_limit, rule, reason, decided_at)
    SELECT d.id, '{kind}', %(run_id)s, %(model_id)s, %(policy_version)s, d.factor_values, d.points, d.score,
           d.old_star, d.new_star, d.old_limit, d.new_limit, d.rule, d.reason, %(now)s
    FROM decided d JOIN changed USING (id)
    """


# A manual rating's limit events: one per open line of the customer (parameters old, new, rule, star, customer,
# policy, now: the rating's decided_at).
RATING_LIMIT_EVENTS_SQL = limit_events_sql(
    source="(SELECT id AS line_id, %(old)s::numeric AS old_limit, %(new)s::numeric AS new_limit, "
           "%(rule)s::text AS rule, %(star)s::int AS new_star FROM customers_line "
           "WHERE customer_id = %(customer)s AND status <> 'closed') s",
    policy_version="%(policy)s", at="%(now)s")


def _sql_text(value: str) -> str:
    """A constant string inlined into SQL that is also run with %-style parameters."""
    return value.replace("'", "''").replace("%", "%%")
