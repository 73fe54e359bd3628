"""The nightly scan's statements, set-based over customers with id in [lo, hi) (retention.batches runs them;
their parameters: retention.signals.window_params), and the signal values other reads share (evaluation, learned).

One statement per chunk: signal values from the last 12 months of usage, overdue bills and
devices; the weighted score (compiled from the signal settings, same rule as
`policies.SignalDefinition.fires`); the lifecycle stage; the day's ChurnScore upsert; new alerts (one open per
customer, none within the cool-down) with suggested offers; and their "opened" audit event.
"""

from retention import policies
from retention.choices import Offer, Signal

SCAN_VALUES = "retention_scan_values"  # a chunk's signal values, a temp table, when the learned model scores
MONTHS = 12  # of usage; m1 = last complete month … m12


def _spend(k: int) -> str:
    return f"sum(bill_amount) FILTER (WHERE month = %(m{k})s)"


def _streak_sql() -> str:
    """Calendar months in a row, ending last month, each with a lower bill than the month before."""
    whens = " ".join(f"WHEN NOT coalesce({_spend(k)} < {_spend(k + 1)}, false) THEN {k - 1}"
                     for k in range(1, MONTHS))
    return f"CASE {whens} ELSE {MONTHS - 1} END"


def _known_avg(column: str, where: str) -> str:
    """The monthly average of `column` over the months of `where` that were sent: a month never sent is
    unknown, not a month of zeros (NULL when none was sent)."""
    return (f"((sum({column}) FILTER (WHERE {where}))::numeric"
            f" / nullif(count(DISTINCT month) FILTER (WHERE {where}), 0))")


def _swing_sql(column: str) -> str:
    """|last month − average of the 3 months before| as % of that average; unknown (NULL) when last month or
    all three before it were never sent."""
    last = f"sum({column}) FILTER (WHERE month = %(m1)s)"
    before = _known_avg(column, "month >= %(m4)s AND month < %(m1)s")
    return f"abs(100.0 * ({last} - {before}) / nullif({before}, 0))"


USAGE_COLUMNS = ("spend_falling", "usage_swing", "competitor_calls", "saturation", "broadband", "recent_spend")


def usage_aggregates() -> str:
    """The usage-derived signal values, one pass over a customer's raw usage rows with per-month FILTERs
    (grouping by month first and a window over the months cost as much again as reading the rows)."""
    return f"""
               {_streak_sql()} AS spend_falling,
               round(greatest({_swing_sql("voice_minutes")}, {_swing_sql("data_mb")}), 1) AS usage_swing,
               -- rise in the monthly average, last 3 vs the 3 before, over the months sent (unknown if either none)
               round(3 * ({_known_avg("competitor_hotline_calls", "month >= %(m3)s")}
                          - {_known_avg("competitor_hotline_calls", "month >= %(m6)s AND month < %(m3)s")}))
                   AS competitor_calls,
               avg(plan_saturation) FILTER (WHERE month >= %(m3)s) AS saturation,
               coalesce(bool_or(broadband_bundled) FILTER (WHERE month = %(m1)s), false) AS broadband,
               {_known_avg("bill_amount", "month >= %(m3)s")} AS recent_spend"""


def refresh_usage_signals_sql(*, only_missing: bool) -> str:
    """Cache the usage signals of the chunk's customers for the scan month; rows of other months are dropped.

    `only_missing`: some are cached already (a steady night), so compute just the customers without a row,
    those whose usage was written since (the triggers dropped their rows). Otherwise (the first night of a
    month) compute everyone, without the anti joins. Customers without usage get a row of NULLs, so the next
    night finds them all.
    """
    missing = """
      AND NOT EXISTS (SELECT 1 FROM retention_usagesignals s  -- an anti join in customer order: the
                      WHERE s.customer_id = customers_usagesummary.customer_id  -- aggregate stays a streaming
                        AND s.month0 = %(month0)s)  -- GroupAggregate over the index range""" if only_missing else ""
    missing_customers = """
      AND NOT EXISTS (SELECT 1 FROM retention_usagesignals s WHERE s.customer_id = c.id
                      AND s.month0 = %(month0)s)""" if only_missing else ""
    return f"""
    WITH dropped AS (
        DELETE FROM retention_usagesignals
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month0 <> %(month0)s
    ),
    computed AS (
        SELECT customer_id, {usage_aggregates()}
        FROM customers_usagesummary
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month >= %(m12)s AND month < %(month0)s{missing}
        GROUP BY customer_id
    )
    INSERT INTO retention_usagesignals (customer_id, month0, {", ".join(USAGE_COLUMNS)})
    SELECT c.id, %(month0)s, {", ".join(f"u.{c}" for c in USAGE_COLUMNS)}
    FROM customers_customer c LEFT JOIN computed u ON u.customer_id = c.id
    WHERE c.id >= %(lo)s AND c.id < %(hi)s{missing_customers}
    ON CONFLICT (customer_id, month0) DO NOTHING"""


ANY_CACHED_SQL = """SELECT EXISTS (SELECT 1 FROM retention_usagesignals
                   WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month0 = %(month0)s)"""


def refresh_usage_signals(cur, params: dict) -> None:
    cur.execute(ANY_CACHED_SQL, params)
    cur.execute(refresh_usage_signals_sql(only_missing=cur.fetchone()[0]), params)


def usage_source(cached: bool) -> str:
    """Per customer of the chunk, the usage signal values: from the cache (the nightly scan, after
    refresh_usage_signals) or computed from the raw usage (evaluations and training as of past dates)."""
    if cached:
        return f"""SELECT customer_id, {", ".join(USAGE_COLUMNS)} FROM retention_usagesignals
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month0 = %(month0)s"""
    return f"""SELECT customer_id, {usage_aggregates()}
        FROM customers_usagesummary
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month >= %(m12)s AND month < %(month0)s
        GROUP BY customer_id"""


def values_cte(cached: bool = False) -> str:
    """CTEs ending in `signal_values`: one row per customer of the chunk, one column per signal."""
    return f"""
    chunk AS (
        SELECT c.id, c.account_manager_id, c.status, c.join_date, c.avg_monthly_spend, c.lifecycle_stage
        FROM customers_customer c
        WHERE c.id >= %(lo)s AND c.id < %(hi)s
    ),
    usage AS ({usage_source(cached)}),
    overdue AS (
        SELECT customer_id, count(*) AS n FROM arrears_bill
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND period >= %(m12)s
          AND paid_amount < amount AND due_date < %(today)s
        GROUP BY customer_id
    ),
    devices AS (
        SELECT customer_id, count(*) AS n FROM customers_device
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND dual_sim
          AND started_on >= %(device_since)s AND started_on <= %(today)s
        GROUP BY customer_id
    ),
    products AS (
        SELECT customer_id, count(*) AS n FROM customers_line
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND status <> 'closed'
        GROUP BY customer_id
    ),
    enterprise AS (  -- members of an enterprise account: its agreements and last month's leavers
        SELECT l.customer_id,
               min((SELECT min(a.expires_on) FROM enterprise_agreement a
                    WHERE a.account_id = l.enterprise_id AND a.expires_on >= %(today)s)) - %(today)s::date
                   AS agreement_days,
               max((SELECT s.members_left FROM enterprise_enterprisesnapshot s
                    WHERE s.account_id = l.enterprise_id AND s.month = %(m1)s)) AS members_left
        FROM customers_line l
        WHERE l.customer_id >= %(lo)s AND l.customer_id < %(hi)s AND l.enterprise_id IS NOT NULL
          AND l.status <> 'closed'
        GROUP BY l.customer_id
    ),
    contracts AS (  -- the customer's own contract in force (customers.Contract): days until it ends
        SELECT customer_id, min(ends_on) - %(today)s::date AS days FROM customers_contract
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND starts_on <= %(today)s AND ends_on >= %(today)s
        GROUP BY customer_id
    ),
    complaints AS (  -- complaints to customer care in the 90 days before the scan (customers.CareContact)
        SELECT customer_id, count(*) AS n FROM customers_carecontact
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND kind = 'complaint'
          AND contacted_at >= %(complaints_since)s AND contacted_at < %(scan_start)s
        GROUP BY customer_id
    ),
    signal_values AS (
        SELECT c.id, c.account_manager_id, c.status, c.join_date, c.lifecycle_stage,
               u.spend_falling, u.competitor_calls,
               CASE WHEN c.join_date < %(m4)s THEN u.usage_swing END AS usage_swing,  -- not for newcomers
               least(e.agreement_days, k.days) AS agreement_expiring,  -- the enterprise's or their own
               coalesce(o.n, 0) AS frequent_arrears, coalesce(d.n, 0) AS second_device,
               e.members_left AS members_leaving, NULL::numeric AS business_cancellations,
               coalesce(q.n, 0) AS complaints,
               c.avg_monthly_spend AS avg_spend, coalesce(u.saturation, 0) AS saturation,
               (coalesce(p.n, 0) = 1 AND NOT coalesce(u.broadband, false)) AS single_product,
               coalesce(u.recent_spend, 0) AS recent_spend
        FROM chunk c
        LEFT JOIN usage u ON u.customer_id = c.id
        LEFT JOIN overdue o ON o.customer_id = c.id
        LEFT JOIN devices d ON d.customer_id = c.id
        LEFT JOIN products p ON p.customer_id = c.id
        LEFT JOIN enterprise e ON e.customer_id = c.id
        LEFT JOIN contracts k ON k.customer_id = c.id
        LEFT JOIN complaints q ON q.customer_id = c.id
    )"""


# Inputs of the learned model (`retention.learned`): numbers over `signal_values` known on the scan
# date only — no current status, lifecycle stage, open products or refreshed average spend, which
# a customer's later closing would leak into.
FEATURES: dict[str, str] = {
    "spend_falling": "coalesce(spend_falling, 0)",
    "usage_swing": "least(coalesce(usage_swing, 0), 1000)",
    "usage_swing_known": "(usage_swing IS NOT NULL)::int",
    "competitor_calls": "coalesce(competitor_calls, 0)",
    "frequent_arrears": "frequent_arrears",
    "second_device": "second_device",
    "saturation": "saturation",
    "recent_spend": "recent_spend",
    "tenure_months": "(%(month0)s::date - join_date) / 30.44",
}


def features_sql() -> str:
    """The `FEATURES` as float columns of a select over `signal_values`, in `FEATURES` order."""
    return ", ".join(f"({expr})::float8 AS f_{name}" for name, expr in FEATURES.items())


def fired_sql(signal: policies.SignalDefinition | None, params: dict) -> str:
    """Whether one signal fires, over `signal_values` (false when disabled or without data); adds its threshold."""
    if signal is None or not (signal.enabled and signal.available):
        return "false"
    params[f"t_{signal.code}"] = signal.threshold
    return f"coalesce({signal.code} {signal.direction} %(t_{signal.code})s, false)"


def score_sql(signals: dict[str, policies.SignalDefinition], params: dict) -> tuple[str, str]:
    """(score expression, signals-json expression) over `signal_values`; adds thresholds to `params`."""
    live = [s for s in signals.values() if s.enabled and s.available]
    if not live:
        return "0", "'{}'::jsonb"
    terms, pairs = [], []
    for s in live:
        fired = fired_sql(s, params)
        terms.append(f"CASE WHEN {fired} THEN {int(s.weight)} ELSE 0 END")
        pairs.append(f"'{s.code}', CASE WHEN {fired} THEN {s.code} END")
    return f"least(100, {' + '.join(terms)})", f"jsonb_strip_nulls(jsonb_build_object({', '.join(pairs)}))"


def offers_sql(params: dict) -> str:
    """Suggested offers for a row of `scored`, the SQL twin of `policies.suggest_offers`."""
    params.update(topup_min=policies.TOPUP_MIN_SPEND, topup_share=policies.TOPUP_BONUS_SHARE,
                  topup_months=policies.TOPUP_MONTHS, deposit_months=policies.DEPOSIT_MONTHS,
                  deposit_high=policies.DEPOSIT_HIGH_VALUE_SPEND, upgrade_at=policies.SATURATION_FOR_UPGRADE)
    return f"""(SELECT coalesce(jsonb_agg(o), '[]'::jsonb) FROM (VALUES
        (CASE WHEN s.avg_spend >= %(topup_min)s THEN jsonb_build_object(
            'code', '{Offer.TOPUP_BONUS.value}', 'months', %(topup_months)s,
            'monthly_bonus', round(s.avg_spend * %(topup_share)s, 2)::text,
            'estimated_cost', (round(s.avg_spend * %(topup_share)s, 2) * %(topup_months)s)::text) END),
        (CASE WHEN s.single_product THEN jsonb_build_object(
            'code', '{Offer.DEPOSIT_AND_GET.value}', 'months', %(deposit_months)s,
            'bonus_pct', CASE WHEN s.avg_spend >= %(deposit_high)s THEN 50 ELSE 40 END,
            'monthly_bonus', round(s.avg_spend * (CASE WHEN s.avg_spend >= %(deposit_high)s THEN 50 ELSE 40 END)
                                   / 100.0, 2)::text,
            'estimated_cost', (round(s.avg_spend * (CASE WHEN s.avg_spend >= %(deposit_high)s THEN 50 ELSE 40 END)
                                     / 100.0, 2) * %(deposit_months)s)::text) END),
        (CASE WHEN s.saturation >= %(upgrade_at)s THEN jsonb_build_object(
            'code', '{Offer.PLAN_UPGRADE.value}', 'estimated_cost', '0.00') || coalesce((
            -- the target plan: the next plan up (same brand) from the dearest plan of the customer's open lines
            SELECT jsonb_build_object('target_plan', p2.code, 'target_plan_name', p2.name,
                                      'target_fee', p2.monthly_fee::text)
            FROM customers_line l JOIN customers_plan p ON p.id = l.plan_id
            JOIN customers_plan p2 ON p2.brand_id = p.brand_id AND p2.monthly_fee > p.monthly_fee
            WHERE l.customer_id = s.id AND l.status <> 'closed'
            ORDER BY p.monthly_fee DESC, p2.monthly_fee, p2.code LIMIT 1), '{{}}'::jsonb) END)
    ) AS v(o) WHERE o IS NOT NULL)"""


def scan_sql(signals: dict[str, policies.SignalDefinition], params: dict, *, learned: bool = False) -> str:
    """The chunk's whole scan; its row count is the number of alerts opened.

    Weighted: an alert opens at score >= alert_threshold. `learned`: the chunk's signal values were
    computed into the temp table `scan_values` and the learned model's probabilities are passed as the
    arrays `learned_ids` / `learned_p`; an alert opens at probability >= alert_probability.
    """
    score, fired_json = score_sql(signals, params)
    spend_falling = fired_sql(signals.get(Signal.SPEND_FALLING), params)
    offers = offers_sql(params)
    if learned:
        head = f"""signal_values AS (SELECT * FROM {SCAN_VALUES}),
    learned AS (SELECT * FROM unnest(%(learned_ids)s::bigint[], %(learned_p)s::float8[], %(learned_x)s::jsonb[])
                AS t(id, probability, explanation))"""
        probability, source = "l.probability", "signal_values v LEFT JOIN learned l ON l.id = v.id"
        explanation = "coalesce(l.explanation, '[]'::jsonb)"
        at_risk = "coalesce(probability >= %(alert_probability)s, false)"
    else:
        head, probability, source = values_cte(cached=True), "NULL::float8", "signal_values v"
        explanation = "'[]'::jsonb"
        at_risk = "score >= %(alert_threshold)s"
    return f"""
    WITH {head},
    -- the fired-signals JSON only for the rows that are stored (a score) or alerted: most customers have neither
    scored AS (SELECT v.*, {score} AS score, {probability} AS probability, {explanation} AS explanation
               FROM {source}),
    staged AS (  -- lifecycle stage kept current; the SQL twin of `policies.lifecycle_stage`
        UPDATE customers_customer c SET lifecycle_stage = s.stage
        FROM (SELECT id, stage FROM (
                  SELECT id, lifecycle_stage,
                         CASE WHEN join_date > %(explored_since)s THEN 'exploration'
                              WHEN {spend_falling} OR {at_risk} OR status <> 'active'
                                  THEN 'decline'
                              WHEN join_date > %(formed_since)s THEN 'formation' ELSE 'stable' END AS stage
                  FROM scored) derived
              WHERE stage IS DISTINCT FROM lifecycle_stage) s  -- only the few that changed are touched
        WHERE c.id = s.id AND c.id >= %(lo)s AND c.id < %(hi)s  -- the range keeps the planner off a full scan
    ),
    saved AS (
        INSERT INTO retention_churnscore (customer_id, scanned_on, score, signals, probability)
        SELECT id, %(today)s, score, {fired_json}, probability FROM scored WHERE score > 0 OR {at_risk}
        ON CONFLICT (customer_id, scanned_on) DO UPDATE
            SET score = EXCLUDED.score, signals = EXCLUDED.signals, probability = EXCLUDED.probability
    ),
    opened AS (
        INSERT INTO retention_retentionalert (customer_id, account_manager_id, opened_at, status, score, signals,
                                              suggested_offers, offer, outcome, offer_cost, notes, probability,
                                              explanation, scored_by)
        SELECT s.id, s.account_manager_id, %(now)s, 'open', s.score, {fired_json}, {offers}, '', '', 0, '',
               s.probability, s.explanation, %(scored_by)s
        FROM scored s
        WHERE {at_risk} AND s.status <> 'closed'
          AND NOT EXISTS (SELECT 1 FROM retention_retentionalert a WHERE a.customer_id = s.id
                          AND (a.closed_at IS NULL OR a.closed_at >= %(cooldown_since)s))
        ON CONFLICT DO NOTHING
        RETURNING id
    )
    INSERT INTO retention_alertevent (alert_id, at, by_id, from_status, to_status, note)
    SELECT id, %(now)s, NULL, '', 'open', %(note)s FROM opened"""


# ---------------------------------------------------------------- the weighted score against the outcome
# (retention.evaluation, retention.learned)

# Per customer of [lo, hi): churned = a line closed during the month; gone = all lines closed before it.
OUTCOME_CTE = """
    outcome AS (
        SELECT customer_id,
               coalesce(bool_or(closed_on >= %(month0)s AND closed_on < %(next_month)s), false) AS churned,
               bool_and(closed_on < %(month0)s) AS gone  -- NULL closed_on: still open
        FROM customers_line WHERE customer_id >= %(lo)s AND customer_id < %(hi)s GROUP BY customer_id
    )"""

OUTCOME_SQL = """
    WITH {values},
    scored AS (SELECT v.id, {score} AS score FROM signal_values v),
    {outcome}
    SELECT s.score, o.churned, count(*) FROM scored s JOIN outcome o ON o.customer_id = s.id
    WHERE o.gone IS NOT TRUE GROUP BY 1, 2"""

# The learned model's training rows and the features of given customers (retention.learned).
DATASET_SQL = """
    WITH {values},
    {outcome}
    SELECT v.id, {score} AS score, {features}, o.churned
    FROM signal_values v JOIN outcome o ON o.customer_id = v.id
    WHERE o.gone IS NOT TRUE
    ORDER BY v.id"""

FEATURES_SQL = """
    WITH {values}
    SELECT v.id, {features} FROM signal_values v WHERE v.id = ANY(%(ids)s) ORDER BY v.id"""


# A chunk's signal values computed once into a temp table when the learned model scores (retention.batches).
SCAN_VALUES_DROP = f"DROP TABLE IF EXISTS {SCAN_VALUES}"
SCAN_VALUES_CREATE = (f"CREATE TEMP TABLE {SCAN_VALUES} ON COMMIT DROP AS "
                      f"WITH {values_cte(cached=True)} SELECT * FROM signal_values")
SCAN_VALUES_FEATURES = f"SELECT id, {features_sql()} FROM {SCAN_VALUES} ORDER BY id"
SCAN_VALUES_OPEN_IDS = f"SELECT id FROM {SCAN_VALUES} WHERE status <> 'closed'"
