"""The spec's credit numbers (DOMAIN.md §4, source 004), without a database."""

from decimal import Decimal

import pytest

from credit import policies


@pytest.mark.parametrize(
    "star, initial, lo, hi",
    [(5, 300, 300, 500), (4, 200, 200, 300), (3, 50, 50, 100), (2, 20, 20, 50), (1, 10, 10, 20), (0, 0, 0, 0)],
)
def test_initial_limit_and_range_per_star(star, initial, lo, hi):
    p = policies.star_policy(star)
    assert (p.initial_limit, p.limit_min, p.limit_max) == (Decimal(initial), Decimal(lo), Decimal(hi))


def test_credit_is_granted_to_one_star_and_above_only():
    assert [s for s in (5, 4, 3, 2, 1, 0, None) if policies.star_policy(s).grants_credit] == [5, 4, 3, 2, 1]


@pytest.mark.parametrize("star, days", [(5, 120), (4, 120), (3, 90), (2, 90), (1, 90), (0, 90), (None, 90)])
def test_number_retention_after_barring(star, days):
    assert policies.entitlements(star)["retention_days"] == days


@pytest.mark.parametrize("star, sims", [(5, 5), (4, 4), (3, 3), (2, 0), (1, 0), (0, 0)])
def test_free_sim_replacements(star, sims):
    assert policies.entitlements(star)["free_sim_replacements_per_year"] == sims


@pytest.mark.parametrize("star", [5, 4, 3])
def test_three_stars_and_above_get_mid_high_services(star):
    e = policies.entitlements(star)
    assert e["fee_waivers"] and e["flexible_authentication"] and e["emergency_continuity"] and e["dedicated_channel"]
    assert e["numbers_per_person"] == 20


@pytest.mark.parametrize("star", [2, 1, 0, None])
def test_below_three_stars_no_mid_high_services(star):
    e = policies.entitlements(star)
    assert not (e["fee_waivers"] or e["flexible_authentication"] or e["emergency_continuity"])
    assert e["numbers_per_person"] == 5


def test_only_five_stars_get_rebate_before_verification():
    assert [s for s in (5, 4, 3, 2, 1, 0) if policies.entitlements(s)["rebate_before_verification"]] == [5]


@pytest.mark.parametrize(
    "grade, star",
    [("AAA", 5), ("AA", 4), ("A", 3), ("BBB", 2), ("BB", 1), ("B", 0), ("CCC", 0), ("CC", 0), ("C", 0)],
)
def test_legacy_nine_grades_map_by_the_table(grade, star):
    assert policies.star_from_legacy_grade(grade) == star
    assert policies.star_from_legacy_grade(grade.lower()) == star


def test_unknown_legacy_grade_is_refused():
    with pytest.raises(ValueError, match="DDD"):
        policies.star_from_legacy_grade("DDD")


@pytest.mark.parametrize("tenure, blacklisted, rateable", [(5, False, False), (6, False, True), (60, True, False)])
def test_unrated_below_six_months_or_blacklisted(tenure, blacklisted, rateable):
    assert policies.is_rateable(tenure_months=tenure, blacklisted=blacklisted) is rateable


@pytest.mark.parametrize("amount, clamped", [("150", "200"), ("250", "250"), ("900", "300")])
def test_limits_are_clamped_into_the_star_range(amount, clamped):
    assert policies.clamp_limit(4, Decimal(amount)) == Decimal(clamped)


def test_star_for_score_uses_the_highest_cutoff_reached():
    cutoffs = {5: Decimal(90), 4: Decimal(75), 3: Decimal(65), 2: Decimal(55), 1: Decimal(45)}
    assert [policies.star_for_score(Decimal(s), cutoffs) for s in (95, 90, 89.99, 50, 44)] == [5, 5, 4, 1, 0]


def customer(**overrides):
    values = {"credit_star": 3, "credit_limit": Decimal("50"), "late_bills_6m": 0, "late_bills_12m": 0,
              "suspensions_6m": 0, "suspensions_12m": 0, "arrears_days_6m": 0, "spend_trend": 0}
    values.update(overrides)
    return values


def test_guidance_keeps_a_quiet_customer():
    rule, star, limit = policies.guidance_decision(customer())
    assert (rule, star, limit) == (None, 3, Decimal("50"))


def test_guidance_raises_the_limit_within_range_and_never_above():
    rule, star, limit = policies.guidance_decision(customer(spend_trend=10))
    assert (rule.code, star, limit) == ("up_limit", 3, Decimal("60"))
    rule, star, limit = policies.guidance_decision(customer(credit_limit=Decimal("95"), spend_trend=15))
    assert (rule.code, limit) == ("up_limit", Decimal("100"))  # 114 clamped to the 3★ maximum


def test_guidance_does_not_fire_just_below_the_spend_threshold():
    assert policies.guidance_decision(customer(spend_trend=9))[0] is None


def test_guidance_lowers_the_limit_within_range_and_never_below():
    rule, star, limit = policies.guidance_decision(customer(credit_limit=Decimal("55"), late_bills_6m=1))
    assert (rule.code, star, limit) == ("down_limit", 3, Decimal("50"))  # 44 clamped to the 3★ minimum


def test_guidance_moves_a_star_up_from_the_top_of_the_range():
    rule, star, limit = policies.guidance_decision(customer(credit_limit=Decimal("100"), spend_trend=12))
    assert (rule.code, star, limit) == ("up_star", 4, Decimal("200"))


@pytest.mark.parametrize("score_star, expected", [(4, ("score_up", 4)), (5, ("score_up", 4)),  # one star a run
                                                   (3, (None, 3)), (None, (None, 3)),
                                                   (2, ("score_down", 2)), (0, ("score_down", 2))])
def test_guidance_moves_the_star_with_the_credit_score_one_a_run(score_star, expected):
    rule, star, limit = policies.guidance_decision(customer(score_star=score_star))
    assert ((rule.code if rule else None), star) == expected
    kept_or_initial = {4: Decimal("200"), 3: Decimal("50"), 2: policies.star_policy(2).initial_limit}
    assert limit == kept_or_initial[star]  # a new star starts at its initial limit; the 3★ keeps its 50


@pytest.mark.parametrize("blemish", [{"late_bills_12m": 1}, {"suspensions_12m": 1}])
def test_no_score_up_without_twelve_clean_months(blemish):
    rule, star, _ = policies.guidance_decision(customer(score_star=5, **blemish))
    assert rule is None and star == 3


def test_arrears_come_before_a_higher_score():
    rule, star, _ = policies.guidance_decision(customer(score_star=5, arrears_days_6m=30))
    assert (rule.code, star) == ("down_star", 2)


def test_five_stars_cannot_go_up():
    rule, star, limit = policies.guidance_decision(customer(credit_star=5, credit_limit=Decimal("500"),
                                                            spend_trend=50))
    assert (rule.code, star, limit) == ("up_limit", 5, Decimal("500"))


@pytest.mark.parametrize("signal", [{"arrears_days_6m": 30}, {"suspensions_6m": 2}])
def test_guidance_moves_a_star_down_on_arrears_or_suspensions(signal):
    rule, star, limit = policies.guidance_decision(customer(**signal))
    assert (rule.code, star, limit) == ("down_star", 2, Decimal("20"))


def test_twenty_nine_days_in_arrears_only_lowers_the_limit():
    rule, star, _ = policies.guidance_decision(customer(arrears_days_6m=29, late_bills_6m=1))
    assert (rule.code, star) == ("down_limit", 3)


@pytest.mark.parametrize("star", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("factor_rule", ["up_limit", "down_limit"])
def test_limit_moves_always_stay_inside_the_star_range(star, factor_rule):
    rule = next(r for r in policies.GUIDANCE_RULES if r.code == factor_rule)
    p = policies.star_policy(star)
    for limit in (p.limit_min, p.limit_max, (p.limit_min + p.limit_max) / 2):
        _, new_limit = policies.guidance_outcome(rule, star, limit)
        assert p.limit_min <= new_limit <= p.limit_max
