"""One date format and one money format in both languages (issue 18: dates, amounts and separators were formatted
three different ways)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from core.templatetags.crm import batch_kind, label, money

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dates_read_the_same_in_both_languages(language):
    with translation.override(language):
        assert formats.date_format(date(2026, 12, 7)) == "2026-12-07"
        assert formats.date_format(datetime(2026, 12, 7, 14, 30, tzinfo=SHANGHAI), "DATETIME_FORMAT") == \
            "2026-12-07 14:30"
        page = Template("{{ d }}|{{ t }}|{{ d|date }}|{{ t|day }}|{{ t|when }}").render(Context({
            "d": date(2026, 12, 7), "t": datetime(2026, 12, 7, 6, 30, tzinfo=ZoneInfo("UTC"))}))
        # a stored UTC time is shown in Shanghai time
        assert page == "2026-12-07|2026-12-07 14:30|2026-12-07|2026-12-07|2026-12-07 14:30"
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"  # forms show it; <input type=date> needs it


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("1234.5"), "¥1,234.50"), (Decimal("-1234567.891"), "-¥1,234,567.89"), (0, "¥0.00"),
    ("88.00", "¥88.00"), (None, ""), ("", ""), ("n/a", "n/a"),
])
def test_money_has_the_yuan_sign_thousands_separators_and_two_decimals(value, shown):
    assert money(value) == shown


def test_money_is_a_builtin_of_every_template():
    assert Template("{{ v|money }}").render(Context({"v": Decimal("50000")})) == "¥50,000.00"


def test_codes_render_as_their_labels():
    with translation.override("zh-hans"):
        assert label("alipay", "arrears.PaymentChannel") == "支付宝"
        assert label("spend_falling", "retention.Signal") != "spend_falling"
        assert label("no_such_code", "retention.Signal") == "no_such_code"
        assert batch_kind("credit.base") == "月度基础评级"
