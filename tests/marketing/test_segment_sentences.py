"""A campaign's stored segment rules read as sentences (issue 18: the page showed `{'star': [...], 'brand': [2]}`)."""

from django.utils import translation

from marketing.policies import segment_sentences


def test_rules_read_as_sentences_with_names_and_labels():
    rules = {"star": ["unrated", "0", "1"], "brand": [2], "region": [7], "tenure_max": 12, "spend_min": "50",
             "lifecycle_stage": ["stable"], "enterprise_member": False, "value_decile_max": 3}
    with translation.override("zh-hans"):
        text = "；".join(segment_sentences(rules, region_names={7: "长沙"}, brand_names={2: "动感地带"}))
    assert "信用星级：未评级、0★、1★" in text
    assert "品牌：动感地带" in text and "地区：长沙" in text
    assert "网龄不超过 12 个月" in text and "月均消费不低于 ¥50" in text
    assert "生命周期阶段：稳定期" in text
    assert "不含政企成员号码" in text and "第 3 档" in text
    for code in ("unrated", "tenure_max", "spend_min", "stable", "enterprise_member", "{", "["):
        assert code not in text, f"{code!r} shown raw in {text!r}"


def test_english_and_an_unknown_rule_shown_as_given():
    with translation.override("en"):
        assert segment_sentences({"star": ["5"], "foo": 1}, region_names={}, brand_names={}) == [
            "Credit star: 5★", "foo: 1"]
    assert segment_sentences({}, region_names={}, brand_names={}) == []
