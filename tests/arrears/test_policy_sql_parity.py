"""One scenario table through both interpreters of the barring rules: `arrears.policies.next_state` (real-time
decisions, the pages) and the nightly statement's CASE compiled from the same TRANSITIONS (arrears.sql.evaluation).
They must decide the same new state and rule for every scenario (#17 item 4)."""

import itertools
from decimal import Decimal

import pytest
from django.db import connection

from arrears import policies
from arrears.sql import evaluation
from arrears.choices import BarringState
from credit.policies import STAR_POLICIES

POLICY = policies.DEFAULT_POLICY
LIMIT = Decimal("100.00")
RETENTION = sorted({p.retention_days for p in STAR_POLICIES.values()})


def scenarios():
    days_in_state = sorted({0, *RETENTION, *(d - 1 for d in RETENTION)})
    days_in_arrears = (0, POLICY.two_way_after_days - 1, POLICY.two_way_after_days)
    threshold = policies.reminder_threshold(LIMIT, POLICY)
    usable = (Decimal("-100"), Decimal("-0.01"), Decimal("0"), threshold - Decimal("0.01"), threshold, LIMIT)
    for state, star, u, arrears, in_state, exempt in itertools.product(
            [s.value for s in BarringState], [*range(6), None], usable, days_in_arrears, days_in_state, (False, True)):
        yield policies.LineFacts(state=state, usable=u, limit=LIMIT, star=star, days_in_arrears=arrears,
                                 days_in_state=in_state, exempt=exempt)


def decide_in_sql(facts: list[policies.LineFacts]) -> list[tuple[str | None, str | None]]:
    """The nightly statement's decision over the same facts (its `decided` CTE, without the tables)."""
    threshold = policies.reminder_threshold(LIMIT, POLICY)
    sql = f"""
        SELECT i, {evaluation.transition_case("to")}, {evaluation.transition_case("rule")}
        FROM (SELECT c.*, {evaluation.retention_days_case()} AS retention_days, %(threshold)s AS threshold
              FROM unnest(%(i)s::int[], %(state)s::text[], %(usable)s::numeric[], %(star)s::int[], %(arrears)s::int[],
                          %(in_state)s::int[], %(exempt)s::bool[])
                   AS c(i, state, usable, credit_star, days_in_arrears, days_in_state, exempt)) AS f
        ORDER BY i"""
    params = {"i": list(range(len(facts))), "state": [f.state for f in facts], "usable": [f.usable for f in facts],
              "star": [f.star for f in facts], "arrears": [f.days_in_arrears for f in facts],
              "in_state": [f.days_in_state for f in facts], "exempt": [f.exempt for f in facts],
              "threshold": threshold, "two_way_days": POLICY.two_way_after_days}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [(to, rule) for _, to, rule in cur.fetchall()]


@pytest.mark.django_db
def test_the_nightly_sql_decides_every_scenario_as_the_policy_does():
    facts = list(scenarios())
    assert len(facts) > 1000
    in_sql = decide_in_sql(facts)
    differ = []
    for f, (to, rule) in zip(facts, in_sql, strict=True):
        expected_to, expected_rule = policies.next_state(f, POLICY)
        got = (to or f.state, rule or "")  # the statement leaves a line without a transition alone (NULL)
        if got != (expected_to, expected_rule):
            differ.append((f, got, (expected_to, expected_rule)))
    assert not differ, differ[:5]
    # the table reaches every rule, so a rule missing from either side would show
    assert {rule for _, rule in in_sql if rule} == {rule for _, _, rule in policies.TRANSITIONS}
