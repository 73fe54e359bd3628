"""The pure rules of what credit officers configure (issue 18): bins, weights, cut-offs, SMS placeholders,
extended-service limits, barring policy settings. No database."""

from dataclasses import replace
from decimal import Decimal as D

from arrears.policies import DEFAULT_POLICY, barring_policy_problems
from credit.policies import (
    bin_problems, cutoff_problems, extended_policy_problems, sms_template_problems, weight_problems,
)
from credit.touchpoints import PLACEHOLDERS


def codes(problems) -> list[str]:
    return [code for _field, code, _params in problems]


def test_numeric_bins_are_ranges_that_do_not_overlap():
    assert bin_problems([(None, D(12), ""), (D(12), D(36), ""), (D(36), None, "")], categorical=False) == []
    assert codes(bin_problems([(None, D(24), ""), (D(12), None, "")], categorical=False)) == ["overlap"]
    assert codes(bin_problems([(None, None, ""), (D(1), None, "")], categorical=False)) == ["overlap"]
    assert codes(bin_problems([(D(5), D(5), "")], categorical=False)) == ["range_empty"]
    assert codes(bin_problems([(None, None, "gotone")], categorical=False)) == ["range_required"]
    assert codes(bin_problems([], categorical=False)) == ["no_bins"]


def test_categorical_bins_name_known_categories_once():
    known = ("gotone", "mzone", "easyown")
    assert bin_problems([(None, None, "gotone"), (None, None, "mzone")], categorical=True, categories=known) == []
    assert codes(bin_problems([(None, None, "gotone"), (None, None, "gotone")], categorical=True,
                              categories=known)) == ["category_twice"]
    assert codes(bin_problems([(None, None, "unicom")], categorical=True, categories=known)) == ["category_unknown"]
    assert codes(bin_problems([(D(1), None, "")], categorical=True, categories=known)) == ["category_required"]


def test_weights_and_cutoffs():
    assert weight_problems(D("1.5")) == [] and codes(weight_problems(D(0))) == ["weight_range"]
    assert codes(weight_problems(D("100.01"))) == ["weight_range"]
    assert cutoff_problems({5: D(104), 4: D(94), 3: D(89), 2: D(80), 1: D(72)}) == []
    assert codes(cutoff_problems({5: D(90), 4: D(94), 3: D(89), 2: D(80), 1: D(72)})) == ["cutoffs_rising"]
    assert codes(cutoff_problems({5: D(104), 4: D(94)})) == ["cutoffs_missing"]


def test_sms_templates_use_only_the_placeholders_the_senders_fill():
    assert sms_template_problems("尊敬的{name}，额度{limit}元", PLACEHOLDERS) == []
    assert codes(sms_template_problems("尊敬的{nmae}", PLACEHOLDERS)) == ["placeholder_unknown"]
    assert codes(sms_template_problems("{limit:.2f}元", PLACEHOLDERS)) == ["placeholder_unknown"]
    assert codes(sms_template_problems("{name.upper}", PLACEHOLDERS)) == ["placeholder_unknown"]
    assert codes(sms_template_problems("{}", PLACEHOLDERS)) == ["placeholder_unknown"]
    assert codes(sms_template_problems("尊敬的{name", PLACEHOLDERS)) == ["braces"]
    assert codes(sms_template_problems("  ", PLACEHOLDERS)) == ["required"]


def test_extended_service_limits_hold_together():
    good = {"min_star": 3, "max_amount": D(100), "max_amount_per_month": D(300), "max_count_per_month": 5,
            "max_persons_per_month": 3, "channels": ("app", "outlet")}
    assert extended_policy_problems(**good) == []
    assert codes(extended_policy_problems(**{**good, "max_amount_per_month": D(50)})) == ["month_below_request"]
    assert codes(extended_policy_problems(**{**good, "min_star": 0})) == ["min_star_range"]
    assert codes(extended_policy_problems(**{**good, "max_persons_per_month": 6})) == ["persons_above_count"]
    assert codes(extended_policy_problems(**{**good, "channels": ()})) == ["channels"]
    assert codes(extended_policy_problems(**{**good, "channels": ("营业厅",)})) == ["channels"]


def test_barring_policy_settings_stay_within_bounds_and_name_known_rules():
    assert barring_policy_problems(DEFAULT_POLICY) == []
    wrong = replace(DEFAULT_POLICY, reminder_ratio=D("1.5"), two_way_after_days=0, late_fee_waived_stars=(6,),
                    immediate_rules=("paid_back", "bar_everyone"))
    assert [(f, c) for f, c, _ in barring_policy_problems(wrong)] == [
        ("reminder_ratio", "out_of_range"), ("two_way_after_days", "out_of_range"),
        ("late_fee_waived_stars", "unknown_star"), ("immediate_rules", "unknown_rule")]
