"""Pure rules: computed class, service-day calendar (003 §4.1.1), report due dates."""

from datetime import date
from decimal import Decimal

import pytest

from enterprise import policies as p


@pytest.mark.parametrize("requested, scheduled, moved", [
    (date(2026, 12, 25), date(2026, 12, 25), False),  # the 25th itself is still schedulable
    (date(2026, 12, 26), date(2027, 1, 1), True),  # the 26th → next month's first working day (a Friday)
    (date(2026, 10, 26), date(2026, 11, 2), True),  # 1 Nov 2026 is a Sunday → Monday the 2nd
    (date(2026, 11, 30), date(2026, 12, 1), True),
])
def test_after_the_25th_moves_to_the_next_month(requested, scheduled, moved):
    result = p.schedule_service_day(requested)
    assert (result.scheduled, result.moved) == (scheduled, moved)


def test_visit_logged_on_third_working_day_is_on_time_fourth_is_overdue():
    service_day = date(2026, 12, 3)  # Thursday; working days after: Fri 4, Mon 7, Tue 8 (3rd), Wed 9 (4th)
    assert p.visit_log_deadline(service_day) == date(2026, 12, 8)
    assert not p.visit_overdue(service_day, date(2026, 12, 8), today=date(2026, 12, 20))
    assert p.visit_overdue(service_day, date(2026, 12, 9), today=date(2026, 12, 20))
    # not logged yet: overdue only once the 3rd working day has passed
    assert not p.visit_overdue(service_day, None, today=date(2026, 12, 8))
    assert p.visit_overdue(service_day, None, today=date(2026, 12, 9))


def test_weekends_are_not_working_days():
    friday = date(2026, 12, 4)
    assert p.add_working_days(friday, 1) == date(2026, 12, 7)
    assert p.visit_log_deadline(friday) == date(2026, 12, 9)


def test_collection_days_are_tuesday_and_thursday():
    assert [d.day for d in (date(2026, 11, 30 + i) if i == 0 else date(2026, 12, i) for i in range(0, 8))
            if p.is_collection_day(d)] == [1, 3]
    assert p.next_collection_day(date(2026, 12, 4)) == date(2026, 12, 8)


def test_report_due_dates():
    assert p.monthly_report_due(date(2026, 11, 1)) == date(2026, 12, 10)
    assert p.monthly_report_due(date(2026, 12, 1)) == date(2027, 1, 10)
    assert p.weekly_report_due(date(2026, 11, 23)) == date(2026, 11, 30)
    assert not p.report_overdue(date(2026, 12, 10), date(2026, 12, 10), date(2026, 12, 31))
    assert p.report_overdue(date(2026, 12, 10), None, date(2026, 12, 11))


def test_class_score_weights_each_factor_and_caps_at_full_marks():
    policy = p.DEFAULT_CLASS_POLICY
    full = p.ClassInputs(revenue=Decimal("200000"), members=900, products=4, loyalty=Decimal(12), credit=Decimal(5))
    result = p.score_class(full, policy)
    assert result.score == Decimal("100.0") and result.klass == "A+"
    half = p.ClassInputs(revenue=Decimal("10000"), members=100, products=2, loyalty=Decimal(5), credit=Decimal("2.5"))
    result = p.score_class(half, policy)
    assert result.score == Decimal("50.0") and result.klass == "B"  # B from 50
    assert {f.factor: f.points for f in result.factors}["revenue"] == Decimal("17.5")
    just_below = p.ClassInputs(revenue=Decimal("9900"), members=100, products=2, loyalty=Decimal(5),
                               credit=Decimal("2.5"))
    assert p.score_class(just_below, policy).klass == "C"


def test_class_cutoffs_from_the_policy():
    policy = {**p.DEFAULT_CLASS_POLICY, "cutoffs": [["A", 40], ["B", 0]]}
    inputs = p.ClassInputs(revenue=Decimal("10000"), members=100, products=2, loyalty=Decimal(5), credit=Decimal(2))
    assert p.score_class(inputs, policy).klass == "A"


def test_policy_validation_names_the_rule():
    assert p.validate_class_policy(p.DEFAULT_CLASS_POLICY) == []
    bad = {**p.DEFAULT_CLASS_POLICY, "weights": {**p.DEFAULT_CLASS_POLICY["weights"], "revenue": 30}}
    assert p.validate_class_policy(bad) == ["weights: they must add up to 100"]
    bad = {**p.DEFAULT_CLASS_POLICY, "cutoffs": [["A", 10], ["B", 20]]}
    assert any(e.startswith("cutoffs") for e in p.validate_class_policy(bad))


@pytest.mark.parametrize("direction, value, fires", [("gte", Decimal(5), True), ("gte", Decimal("4.99"), False),
                                                     ("lte", Decimal(60), True), ("lte", Decimal(61), False),
                                                     ("gte", None, False)])
def test_rule_fires(direction, value, fires):
    threshold = Decimal(5) if direction == "gte" else Decimal(60)
    assert p.rule_fires(direction, value, threshold) is fires
