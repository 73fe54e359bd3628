"""Pure rules: computed class, service days on the working-day calendar (003 §4.1.1), report due dates."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.policies import MON_FRI, WorkingCalendar
from enterprise import policies as p


# A hand-made calendar with the parts of the 2026 arrangement these tests need (the shipped one is tested
# through the database in test_services.py): New Year 2026 and 2027, Labour Day 2026, National Day 2026.
CAL = WorkingCalendar.from_days([
    *((date(2026, 1, d), False, "元旦") for d in (1, 2, 3)), (date(2026, 1, 4), True, "元旦调休上班"),
    *((date(2026, 5, d), False, "劳动节") for d in range(1, 6)), (date(2026, 5, 9), True, "劳动节调休上班"),
    (date(2026, 9, 20), True, "国庆节调休上班"), *((date(2026, 10, d), False, "国庆节") for d in range(1, 8)),
    (date(2026, 10, 10), True, "国庆节调休上班"), (date(2027, 1, 1), False, "元旦"),
])


@pytest.mark.parametrize("requested, scheduled, reason", [
    (date(2026, 12, 25), date(2026, 12, 25), ""),  # the 25th itself is still schedulable
    (date(2026, 12, 26), date(2027, 1, 4), p.AFTER_25TH),  # not New Year's Day (Fri 1 Jan 2027): Monday the 4th
    (date(2026, 10, 26), date(2026, 11, 2), p.AFTER_25TH),  # 1 Nov 2026 is a Sunday → Monday the 2nd
    (date(2026, 11, 30), date(2026, 12, 1), p.AFTER_25TH),
    (date(2026, 9, 28), date(2026, 10, 8), p.AFTER_25TH),  # not National Day (1–7 Oct): Thursday the 8th
    (date(2025, 12, 29), date(2026, 1, 4), p.AFTER_25TH),  # Sunday 4 Jan 2026 is a make-up working day
    (date(2026, 10, 3), date(2026, 10, 8), p.NOT_WORKING),  # asked for a day of National Day
    (date(2026, 5, 2), date(2026, 5, 6), p.NOT_WORKING),  # Labour Day 1–5 May
    (date(2026, 12, 5), date(2026, 12, 7), p.NOT_WORKING),  # a Saturday → Monday
    (date(2026, 10, 25), date(2026, 11, 2), p.NOT_WORKING),  # Sunday the 25th: Monday is the 26th → next month
])
def test_after_the_25th_or_on_a_day_off_moves_to_a_working_day(requested, scheduled, reason):
    result = p.schedule_service_day(requested, calendar=CAL)
    assert (result.scheduled, result.moved, result.reason) == (scheduled, scheduled != requested, reason)


def test_new_years_day_and_national_day_are_never_service_days():
    for requested in (date(2026, 9, 1) + timedelta(days=i) for i in range(140)):
        scheduled = p.schedule_service_day(requested, calendar=CAL).scheduled
        assert CAL.is_working_day(scheduled) and scheduled.day <= 25, requested
        assert scheduled not in (date(2027, 1, 1), *(date(2026, 10, d) for d in range(1, 8))), requested


def test_visit_logged_on_third_working_day_is_on_time_fourth_is_overdue():
    service_day = date(2026, 12, 3)  # Thursday; working days after: Fri 4, Mon 7, Tue 8 (3rd), Wed 9 (4th)
    deadline = p.visit_log_deadline(service_day, calendar=CAL)
    assert deadline == date(2026, 12, 8)
    assert not p.visit_overdue(deadline, date(2026, 12, 8), today=date(2026, 12, 20))
    assert p.visit_overdue(deadline, date(2026, 12, 9), today=date(2026, 12, 20))
    # not logged yet: overdue only once the 3rd working day has passed
    assert not p.visit_overdue(deadline, None, today=date(2026, 12, 8))
    assert p.visit_overdue(deadline, None, today=date(2026, 12, 9))


def test_three_working_days_across_national_day():
    # a visit on Wed 30 Sep 2026: 1–7 Oct are holidays; Thu 8, Fri 9 and Sat 10 (a make-up working day) count
    assert p.visit_log_deadline(date(2026, 9, 30), calendar=CAL) == date(2026, 10, 10)
    assert p.visit_log_deadline(date(2026, 9, 30), calendar=MON_FRI) == date(2026, 10, 5)  # without the calendar
    # Fri 18 Sep: Mon 21, Tue 22, Wed 23 — Sunday the 20th is a make-up working day, so it counts first
    assert p.visit_log_deadline(date(2026, 9, 18), calendar=CAL) == date(2026, 9, 22)


def test_weekends_are_not_working_days():
    friday = date(2026, 12, 4)
    assert CAL.add_working_days(friday, 1) == date(2026, 12, 7)
    assert p.visit_log_deadline(friday, calendar=CAL) == date(2026, 12, 9)


def test_collection_days_are_tuesday_and_thursday():
    assert [d.day for d in (date(2026, 11, 30 + i) if i == 0 else date(2026, 12, i) for i in range(0, 8))
            if p.is_collection_day(d, calendar=CAL)] == [1, 3]
    assert p.next_collection_day(date(2026, 12, 4), calendar=CAL) == date(2026, 12, 8)


@pytest.mark.parametrize("first, last, collected", [
    # Labour Day: Tue 5 May off → Wed 6 May collects; Thu 7 as usual
    (date(2026, 5, 1), date(2026, 5, 8), [date(2026, 5, 6), date(2026, 5, 7)]),
    # National Day: Thu 1 and Tue 6 Oct off → Thu 8 Oct (a collection day anyway), then Tue 13
    (date(2026, 9, 28), date(2026, 10, 13), [date(2026, 9, 29), date(2026, 10, 8), date(2026, 10, 13)]),
    # New Year 2026: Thu 1 Jan off → Sunday 4 Jan, a make-up working day; then Tue 6
    (date(2025, 12, 29), date(2026, 1, 6), [date(2025, 12, 30), date(2026, 1, 4), date(2026, 1, 6)]),
    # a make-up working day after no missed collection is not a collection day (Sun 20 Sep 2026)
    (date(2026, 9, 15), date(2026, 9, 22), [date(2026, 9, 15), date(2026, 9, 17), date(2026, 9, 22)]),
])
def test_a_holiday_collection_moves_to_the_next_working_day(first, last, collected):
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert [d for d in days if p.is_collection_day(d, calendar=CAL)] == collected
    assert p.next_collection_day(date(2026, 10, 1), calendar=CAL) == date(2026, 10, 8)


def test_report_due_dates():
    assert p.monthly_report_due(date(2026, 11, 1), calendar=CAL) == date(2026, 12, 10)
    assert p.monthly_report_due(date(2026, 12, 1), calendar=CAL) == date(2027, 1, 8)  # Sun 10 Jan → Fri 8th
    assert p.monthly_report_due(date(2026, 9, 1), calendar=CAL) == date(2026, 10, 10)  # a make-up Saturday
    assert p.weekly_report_due(date(2026, 11, 23), calendar=CAL) == date(2026, 11, 30)
    assert p.weekly_report_due(date(2026, 9, 28), calendar=CAL) == date(2026, 10, 8)  # the National Day week
    assert not p.report_overdue(date(2026, 12, 10), date(2026, 12, 10), date(2026, 12, 31))
    assert p.report_overdue(date(2026, 12, 10), None, date(2026, 12, 11))


def test_a_task_due_on_a_day_off_gets_the_next_working_day_suggested():
    assert p.due_date_on_working_day(date(2026, 10, 1), calendar=CAL) == date(2026, 10, 8)
    assert p.due_date_on_working_day(date(2026, 10, 10), calendar=CAL) is None  # make-up Saturday
    assert p.due_date_on_working_day(date(2026, 12, 1), calendar=CAL) is None


def test_a_calendar_without_working_days_is_refused_not_looped():
    never = WorkingCalendar.from_days((date(2026, 1, 1) + timedelta(days=i), False, "x") for i in range(800))
    with pytest.raises(ValueError):
        never.add_working_days(date(2026, 1, 1), 1)


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
