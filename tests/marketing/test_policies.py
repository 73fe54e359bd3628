"""Pure campaign rules: no database."""

from decimal import Decimal

import pytest

from marketing import policies
from marketing.choices import CampaignStatus as S
from marketing.choices import IncentiveBasis, RiskControl


def warnings(**overrides):
    kwargs = {"usage_cap": Decimal("100"), "in_plan_tariff": Decimal("0.10"), "out_of_plan_tariff": Decimal("0.30"),
              "deposit": Decimal("50"), "low_credit_customers": 0, "incentive_basis": IncentiveBasis.VOLUME_QUALITY}
    kwargs.update(overrides)
    return {w.code: w.level for w in policies.campaign_warnings(**kwargs)}


@pytest.mark.parametrize("out_of_plan, expected", [
    ("0.49", None),  # 4.9×
    ("0.50", None),  # 5× exactly: "above 5×" — no warning
    ("0.501", "warning"),  # 5.01×
    ("1.00", "warning"),  # 10× exactly: a warning, not yet an error
    ("1.01", "error"),  # 10.1×
])
def test_tariff_ratio_thresholds(out_of_plan, expected):
    found = warnings(in_plan_tariff=Decimal("0.10"), out_of_plan_tariff=Decimal(out_of_plan))
    assert found.get("tariff_ratio") == expected


def test_no_usage_cap_warns():
    assert warnings(usage_cap=None)["no_usage_cap"] == "warning"
    assert "no_usage_cap" not in warnings(usage_cap=Decimal("50"))


def test_low_credit_segment_without_deposit_warns():
    assert warnings(low_credit_customers=3, deposit=Decimal("0"))["low_credit_no_deposit"] == "warning"
    assert "low_credit_no_deposit" not in warnings(low_credit_customers=3, deposit=Decimal("50"))
    assert "low_credit_no_deposit" not in warnings(low_credit_customers=0, deposit=Decimal("0"))


def test_low_credit_count_is_0_and_1_star_and_unrated():
    assert policies.low_credit_count({0: 2, 1: 3, None: 1, 2: 10, 5: 1}) == 6


def test_volume_only_incentive_warns():
    assert warnings(incentive_basis=IncentiveBasis.VOLUME)["incentive_volume_only"] == "warning"
    assert "incentive_volume_only" not in warnings(incentive_basis=IncentiveBasis.QUALITY)


def test_errors_come_first_and_block_approval():
    found = policies.campaign_warnings(usage_cap=None, in_plan_tariff=Decimal("0.1"),
                                       out_of_plan_tariff=Decimal("2"), deposit=Decimal(0), low_credit_customers=1,
                                       incentive_basis=IncentiveBasis.VOLUME)
    assert found[0].level == "error" and policies.blocking_codes(found) == ("tariff_ratio",)


def test_exposure_is_the_sum_over_stars_of_count_rate_and_average():
    history = {
        0: policies.StarHistory(customers=100, in_arrears=20, arrears_amount=Decimal("1000")),  # 20 %, 50 each
        3: policies.StarHistory(customers=50, in_arrears=5, arrears_amount=Decimal("150")),  # 10 %, 30 each
        5: policies.StarHistory(customers=10, in_arrears=0, arrears_amount=Decimal("0")),
    }
    result = policies.expected_exposure({0: 40, 3: 10, 5: 7, 2: 4}, history)
    # 40 × 0.2 × 50 + 10 × 0.1 × 30 + 7 × 0 + 4 × (no history) = 400 + 30
    assert result["total"] == Decimal("430.00")
    by_star = {r["star"]: r for r in result["per_star"]}
    assert by_star[0]["exposure"] == Decimal("400.00") and by_star[3]["exposure"] == Decimal("30.00")
    assert result["expected_in_arrears"] == Decimal("9")


@pytest.mark.parametrize("rules, errors", [
    ({"star": ["0", "1"], "tenure_min": 6}, set()),
    ({"colour": ["red"]}, {"colour"}),
    ({"star": ["6"]}, {"star"}),
    ({"region": ["x"]}, {"region"}),
    ({"tenure_min": -1}, {"tenure_min"}),
    ({"spend_min": "abc"}, {"spend_min"}),
    ({"spend_min": "100", "spend_max": "50"}, {"spend_max"}),
    ({"enterprise_member": "maybe"}, {"enterprise_member"}),
    ({"lifecycle_stage": ["stable", "nirvana"]}, {"lifecycle_stage"}),
])
def test_segment_rules_are_validated(rules, errors):
    _clean, found = policies.clean_segment(rules)
    assert set(found) == errors


def test_segment_rules_are_normalised():
    clean, _errors = policies.clean_segment({"star": ["1", "0", "1"], "region": ["3", 2], "tenure_min": "6",
                                             "spend_min": 20, "enterprise_member": "true", "brand": []})
    assert clean == {"star": ["0", "1"], "region": [2, 3], "tenure_min": 6, "spend_min": "20",
                     "enterprise_member": True}
    assert policies.clean_segment("not a dict")[1] == {"segment": str(policies.ERR_RULES_TYPE)}




@pytest.mark.parametrize("current, target, role, is_author, field", [
    (S.DRAFT, S.SUBMITTED, "marketing", True, None),
    (S.SUBMITTED, S.IN_REVIEW, "credit_officer", False, None),
    (S.SUBMITTED, S.IN_REVIEW, "marketing", False, "to_status"),
    (S.IN_REVIEW, S.APPROVED, "credit_officer", False, None),
    (S.IN_REVIEW, S.APPROVED, "marketing", False, "to_status"),  # marketing cannot approve
    (S.IN_REVIEW, S.APPROVED, "admin", False, "to_status"),  # only credit officers decide
    (S.IN_REVIEW, S.APPROVED, "credit_officer", True, "to_status"),  # not their own campaign
    (S.RETURNED, S.SUBMITTED, "marketing", True, None),
    (S.APPROVED, S.RUNNING, "marketing", True, None),
    (S.RUNNING, S.CLOSED, "credit_officer", False, None),
    (S.RUNNING, S.DRAFT, "marketing", True, "to_status"),  # illegal
    (S.DRAFT, S.APPROVED, "credit_officer", False, "to_status"),  # no skipping the review
    (S.REJECTED, S.SUBMITTED, "marketing", True, "to_status"),  # rejected is final
    (S.CLOSED, S.RUNNING, "marketing", True, "to_status"),
])
def test_transition_table(current, target, role, is_author, field):
    errors = policies.transition_errors(current=current, target=target, role=role, is_author=is_author,
                                        reason="a reason")
    assert (next(iter(errors)) if errors else None) == field


def test_return_and_reject_need_a_reason():
    for target in (S.RETURNED, S.REJECTED):
        assert policies.transition_errors(current=S.IN_REVIEW, target=target, role="credit_officer",
                                          is_author=False) == {"reason": str(policies.ERR_REASON_REQUIRED)}


def test_an_error_level_warning_blocks_approval_but_not_return():
    kwargs = dict(current=S.IN_REVIEW, role="credit_officer", is_author=False, reason="x", blocking=("tariff_ratio",))
    assert "tariff_ratio" in policies.transition_errors(target=S.APPROVED, **kwargs)["to_status"]
    assert policies.transition_errors(target=S.RETURNED, **kwargs) == {}


def test_illegal_transition_message_names_both_states():
    errors = policies.transition_errors(current=S.RUNNING, target=S.DRAFT, role="marketing", is_author=True)
    assert "running" in errors["to_status"] and "draft" in errors["to_status"]


def test_revenue_analysis():
    r = policies.revenue_analysis(participants=100, monthly_revenue=Decimal("50"), monthly_cost=Decimal("10"),
                                  months=12, incentive=Decimal("20"), exposure=Decimal("500"))
    assert r == {"revenue": Decimal("60000.00"), "cost": Decimal("14000.00"), "exposure": Decimal("500.00"),
                 "net": Decimal("45500.00")}


def _op(review_round, control, verdict="acceptable", answered=False):
    return policies.OpinionState(review_round, control, verdict, answered)


ALL_CONTROLS = RiskControl.values


def test_approval_needs_an_opinion_on_every_control_of_the_current_round():
    round_1 = [_op(1, c) for c in ALL_CONTROLS]
    gaps = policies.review_gaps(round_1, 1)
    assert (gaps.missing, gaps.open_must_change) == ((), ())
    assert policies.transition_refusal(current=S.IN_REVIEW, target=S.APPROVED, role="credit_officer",
                                       is_author=False, gaps=gaps) is None
    gaps = policies.review_gaps(round_1 + [_op(2, "deposit")], 2)  # round 1's opinions do not count in round 2
    assert len(gaps.missing) == len(ALL_CONTROLS) - 1 and "deposit" not in gaps.missing
    field, code, message = policies.transition_refusal(current=S.IN_REVIEW, target=S.APPROVED,
                                                       role="credit_officer", is_author=False, gaps=gaps)
    assert (field, code) == ("opinions", "opinions_missing") and "round 2" in message


def test_a_must_change_blocks_approval_until_answered_and_resubmission_needs_the_answer():
    opinions = [_op(1, c) for c in ALL_CONTROLS if c != "usage_cap"] + [_op(1, "usage_cap", "must_change")]
    gaps = policies.review_gaps(opinions, 1)
    assert [o.control for o in gaps.open_must_change] == ["usage_cap"]
    kwargs = dict(role="credit_officer", is_author=False, reason="x", gaps=gaps)
    assert policies.transition_refusal(current=S.IN_REVIEW, target=S.APPROVED, **kwargs)[:2] == (
        "opinions", "must_change_open")
    assert policies.transition_refusal(current=S.IN_REVIEW, target=S.RETURNED, **kwargs) is None
    kwargs["role"] = "marketing"
    assert policies.transition_refusal(current=S.RETURNED, target=S.SUBMITTED, **kwargs)[:2] == (
        "answers", "answers_missing")
    answered = [o if o.control != "usage_cap" else _op(1, "usage_cap", "must_change", answered=True)
                for o in opinions]
    assert policies.transition_refusal(current=S.RETURNED, target=S.SUBMITTED, role="marketing", is_author=True,
                                       gaps=policies.review_gaps(answered, 1)) is None
    # round 2, every control acceptable again: the answered must-change no longer blocks
    gaps = policies.review_gaps(answered + [_op(2, c) for c in ALL_CONTROLS], 2)
    assert (gaps.missing, gaps.open_must_change) == ((), ())
