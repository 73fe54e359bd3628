"""Customer value in the half-yearly guidance rules (#16, source 000: 对于低价值客户要适当降低授信额度, 高价值客户要
提高客户授信额度; 80/20/30: the bottom 30 % are the non-profit customers).

The pure rule (credit.policies), the same rule compiled into the set-based guidance SQL (credit.sql.scoring) judged on
the same rows, and a whole flow: usage and bills with their cost items come in through billing's API, the base run
rates, a guidance run raises, the value batch ranks, the next guidance run steps the low-value customer's limit
down and the high-value one's up, and the 360 page and the credit-status API show it with the rule.
"""

import itertools
import json
import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears.value import value_in_process
from core.tasks import dispatch_run
from credit import policies
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.choices import GUIDANCE_INPUT_LABELS, GUIDANCE_RULE_LABELS, Feature
from credit.models import Rating
from credit.sql.scoring import compile_guidance
from tests.credit.test_batches import good_customer
from tests.factories import LineFactory

VALUE_KEYS = ("late_bills_6m", "late_bills_12m", "suspensions_6m", "suspensions_12m", "arrears_days_6m",
              "spend_trend", "value_decile", "customer_value")


def values(**overrides):
    row = {"credit_star": 3, "credit_limit": Decimal("60"), **dict.fromkeys(VALUE_KEYS, 0),
           "value_decile": None, "customer_value": None}
    row.update(overrides)
    return row


# --- the pure rule ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("decile, value, rule", [
    (8, Decimal("20"), "low_value"), (10, Decimal("-5"), "low_value"),
    (7, Decimal("-0.01"), "low_value"),  # negative value outside the bottom 30 %: still a loss
    (7, Decimal("0"), None), (3, Decimal("40"), None), (None, None, None),  # unranked: neither low nor high
    (2, Decimal("90"), "high_value"), (1, Decimal("300"), "high_value"),
])
def test_value_moves_the_limit_by_the_source_bands(decile, value, rule):
    fired, star, limit = policies.guidance_decision(values(value_decile=decile, customer_value=value))
    assert (fired.code if fired else None) == rule
    assert star == 3
    assert limit == {"low_value": Decimal("50"), "high_value": Decimal("72"), None: Decimal("60")}[rule]


def test_a_low_value_customer_steps_down_within_the_range_and_never_below():
    _, star, limit = policies.guidance_decision(values(credit_star=4, credit_limit=Decimal("300"), value_decile=9))
    assert (star, limit) == (4, Decimal("240"))
    _, star, limit = policies.guidance_decision(values(credit_star=4, credit_limit=Decimal("200"), value_decile=9))
    assert (star, limit) == (4, Decimal("200"))  # at the 4★ minimum: stays (the star is the base model's)


def test_low_value_cuts_the_limit_but_does_not_freeze_a_star_earned():
    """Source 000 lowers a low-value customer's limit; it does not block stars (#16 item 6: low_value after up_star)."""
    rising = {"spend_trend": 25}
    rule, star, limit = policies.guidance_decision(values(credit_limit=Decimal("100"), value_decile=8, **rising))
    assert (rule.code, star, limit) == ("up_star", 4, policies.star_policy(4).initial_limit)
    rule, _, limit = policies.guidance_decision(values(value_decile=10, **rising))
    assert (rule.code, limit) == ("low_value", Decimal("50"))  # not up_limit: the limit does not rise
    rule, _, limit = policies.guidance_decision(values(value_decile=9, customer_value=Decimal("-3")))
    assert (rule.code, limit) == ("low_value", Decimal("50"))
    rule, star, _ = policies.guidance_decision(values(credit_limit=Decimal("100"), value_decile=3, **rising))
    assert (rule.code, star) == ("up_star", 4)  # the middle is left to the other rules


def test_arrears_and_late_bills_come_before_value():
    rule, star, _ = policies.guidance_decision(values(value_decile=1, arrears_days_6m=30))
    assert (rule.code, star) == ("down_star", 2)
    rule, _, _ = policies.guidance_decision(values(value_decile=1, late_bills_6m=1, late_bills_12m=1))
    assert rule.code == "down_limit"  # a late top-value customer gets no value raise


def test_every_guidance_rule_and_input_has_a_label():
    assert set(GUIDANCE_RULE_LABELS) == {r.code for r in policies.GUIDANCE_RULES}
    features = {c.feature for r in policies.GUIDANCE_RULES for c in r.conditions}
    assert features <= set(Feature.values) | set(GUIDANCE_INPUT_LABELS) | {"credit_star"}


# --- the same rule in the set-based SQL ---------------------------------------------------------------------

GRID = {
    "credit_star": (1, 2, 3, 4, 5), "limit": ("min", "mid", "max"),
    "late_bills": ((0, 0), (0, 1), (1, 1)),  # (6 months, 12 months): late a year ago but not in the last half
    "suspensions_6m": (0, 1, 2), "arrears_days_6m": (0, 29, 30),
    "spend_trend": (-10, 0, 9, 10, 11),  # up_star / up_limit need >= 10
    "value_decile": (None, 1, 2, 3, 7, 8, 10),
    "customer_value": (None, Decimal("-0.01"), Decimal("0"), Decimal("85.50")),
}


def mid_limit(p) -> Decimal:
    """A limit inside the star's range with cents whose 1.2 step ends in exactly .5 on an even number (x.x3.75 *
    1.2 = ...4.5): SQL's round() goes half up, a half-even quantize would go down."""
    return (p.limit_min + p.limit_max) // 2 // 5 * 5 + Decimal("3.75")


def grid_rows():
    for i, combo in enumerate(itertools.product(*GRID.values())):
        row = dict(zip(GRID, combo, strict=True))
        p = policies.star_policy(row["credit_star"])
        row["credit_limit"] = {"min": p.limit_min, "mid": mid_limit(p), "max": p.limit_max}[row.pop("limit")]
        row["late_bills_6m"], row["late_bills_12m"] = row.pop("late_bills")
        row.update(id=i, suspensions_12m=row["suspensions_6m"])
        # the star the credit score reaches: unscored, below, at, one and two above the star (5 is prime to the
        # last dimension's 4 values, so the offsets cycle through every combination of the others)
        offset = SCORE_OFFSETS[i % len(SCORE_OFFSETS)]
        row["score_star"] = None if offset is None else max(0, min(5, row["credit_star"] + offset))
        row["score"] = None if offset is None else Decimal(70 + 8 * row["score_star"])
        yield row


SCORE_OFFSETS = (None, -1, 0, 1, 2)


COLUMNS = {"id": "int", "credit_star": "int", "credit_limit": "numeric(12, 2)", "late_bills_6m": "int",
           "late_bills_12m": "int", "suspensions_6m": "int", "suspensions_12m": "int", "arrears_days_6m": "int",
           "spend_trend": "int", "value_decile": "int", "customer_value": "numeric(12, 2)", "score": "numeric",
           "score_star": "int"}


def test_the_mid_limit_hits_a_half_up_tie():
    limit = mid_limit(policies.star_policy(3))
    assert limit.as_tuple().exponent == -2 and policies.star_policy(3).limit_min < limit < \
        policies.star_policy(3).limit_max
    assert (limit * Decimal("1.2")) % 1 == Decimal("0.5") and int(limit * Decimal("1.2")) % 2 == 0
    _, _, raised = policies.guidance_decision(values(credit_limit=limit, spend_trend=10))
    assert raised == (limit * Decimal("1.2")).to_integral_value() + 1  # half up, not half even


@pytest.mark.django_db
def test_the_guidance_sql_decides_exactly_as_the_pure_rules():
    rows = list(grid_rows())
    # the rows as one JSON parameter (numbers as text, read back as their SQL types)
    rows_json = json.dumps([{c: None if row[c] is None else str(row[c]) for c in COLUMNS} for row in rows])
    record = ", ".join(f"{c} {kind}" for c, kind in COLUMNS.items())
    sql = (f"WITH features AS (SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS v({record})),"
           f"{compile_guidance()} SELECT id, rule, new_star, new_limit, reason, factor_values FROM decided")
    with connection.cursor() as cur:
        cur.execute(sql, {"rows": rows_json, "value_month": date(2026, 6, 1)})
        fetched = cur.fetchall()
    by_sql = {i: (rule, star, limit, reason) for i, rule, star, limit, reason, _ in fetched}
    read = {(json.loads(v) if isinstance(v, str) else v)["value_month"] for *_, v in fetched}
    assert read == {"2026-06-01"}  # every rating records which month's value it read
    fired = {"low_value": 0, "high_value": 0, "score_up": 0}
    for row in rows:
        rule, star, limit = policies.guidance_decision(row)
        if rule is None:
            assert row["id"] not in by_sql, row
            continue
        fired[rule.code] = fired.get(rule.code, 0) + 1
        assert by_sql[row["id"]] == (rule.code, star, limit, rule.reason), row
    assert len(by_sql) == sum(fired.values())
    assert fired["low_value"] > 100 and fired["high_value"] > 100  # the grid does reach the value rules
    assert fired["score_up"] > 100 and fired["score_down"] > 100  # and the credit score's star, both ways


# --- through the intake, the runs and the pages --------------------------------------------------------------

@pytest.fixture
def billing(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return client


def _post(billing, url, body):
    response = billing.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 201, response.json()


def usage(billing, line, month: str, bill_amount: str):
    _post(billing, "/api/billing/usage/", {
        "msisdn": line.msisdn, "month": month, "voice_minutes": 300, "data_mb": 4096, "sms_count": 10,
        "competitor_hotline_calls": 0, "plan_saturation": "80.00", "broadband_bundled": False,
        "bill_amount": bill_amount, "prepaid_balance": "0.00"})


def _pay(billing, line, paid_at: str):
    _post(billing, "/api/billing/payments/", {"msisdn": line.msisdn, "amount": "100.00", "channel": "counter",
                                              "paid_at": paid_at, "reference": uuid.uuid4().hex})


def billed_on_time(billing, line, months, costs: dict):
    """100.00 billed a month with `costs` on each bill, each paid five days before it falls due; a month paid ahead
    first, so that no bill ever leaves the line short and barred (no late bill, no suspension)."""
    _pay(billing, line, f"{months[0]}-01T10:00:00+08:00")
    for month in months:
        _post(billing, "/api/billing/bills/", {"msisdn": line.msisdn, "period": month, "amount": "100.00",
                                               "due_date": f"{month}-25", "costs": costs})
        _pay(billing, line, f"{month}-20T10:00:00+08:00")


SECOND_HALF_2025 = ("2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12")
FIRST_HALF_2026 = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")
VALUED = ("2026-03", "2026-04", "2026-05")  # the months the H2 run of 1 July reads: up to May (complete bills)


@pytest.mark.django_db
def test_the_guidance_run_lowers_a_low_value_limit_and_shows_why(client, org, billing):
    # A 4★ pair that the credit score keeps at 4★ whichever decile they land in, so that the value rules, not
    # score_up or score_down, decide their limits: the rich one's data 70 % complete (the top decile's +5 stays
    # under the 5★ cut-off), the poor one's complete (+5 more, so the bottom decile's −5 stays over the 4★ one)
    rich, poor = good_customer(data_completeness=70), good_customer(data_completeness=100)
    for customer in (rich, poor):
        line = customer.lines.get()
        for i, month in enumerate(SECOND_HALF_2025):  # spend up 20 % in the last quarter of 2025
            usage(billing, line, month, "100.00" if i < 3 else "120.00")
        for month in FIRST_HALF_2026:  # then flat
            usage(billing, line, month, "120.00")
    billed_on_time(billing, rich.lines.get(), VALUED, {})
    billed_on_time(billing, poor.lines.get(), VALUED, {"handset_subsidy": "150.00"})  # −50.00 a month
    for i in range(1, 9):  # the province between them
        billed_on_time(billing, LineFactory().customer.lines.get(), VALUED, {"commission": f"{10 * i}.00"})

    dispatch_run(BASE_KIND, "2025-12")  # nothing ranked yet: the twins alike
    dispatch_run(GUIDANCE_KIND, "2026-H1")  # rising spend: both limits up
    for c in (rich, poor):
        c.refresh_from_db()
    star = rich.credit_star
    assert star >= 1 and poor.credit_star == star
    p = policies.star_policy(star)
    raised = min(p.limit_max, (p.initial_limit * Decimal("1.2")).quantize(Decimal("1")))
    assert rich.credit_limit == poor.credit_limit == raised > p.limit_min

    value_in_process("2026-05")  # rich: the top decile; poor: negative, the bottom decile
    run = dispatch_run(GUIDANCE_KIND, "2026-H2")
    for c in (rich, poor):
        c.refresh_from_db()
    down, up = (Rating.objects.get(customer=c, run=run) for c in (poor, rich))
    assert (down.rule, down.policy_version) == ("low_value", policies.GUIDANCE_VERSION)
    assert down.factor_values["value_decile"] == 10 and Decimal(str(down.factor_values["customer_value"])) == -150
    assert poor.credit_star == star and poor.credit_limit == down.new_limit == policies.clamp_limit(
        star, (raised * Decimal("0.8")).quantize(Decimal("1"))) < raised
    assert up.rule == "high_value" and up.factor_values["value_decile"] == 1
    assert down.factor_values["value_month"] == up.factor_values["value_month"] == "2026-05-01"
    assert rich.credit_limit == policies.clamp_limit(star, (raised * Decimal("1.2")).quantize(Decimal("1")))
    assert rich.credit_limit > poor.credit_limit

    status = billing.get(f"/api/credit-status/{poor.lines.get().msisdn}/").json()  # what billing applies
    assert Decimal(status["credit_limit"]) == poor.credit_limit and status["star"] == star

    client.force_login(org.credit_officer)  # the 360 page: the rule in the history, the value in "why"
    with translation.override("zh-hans"):
        rule_label = str(GUIDANCE_RULE_LABELS["low_value"])
        value_label = str(GUIDANCE_INPUT_LABELS["customer_value"])
        page = client.get(f"/customers/{poor.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    history = page[page.index('id="rating-history"'):]
    assert re.search(rf'class="rating-rule" title="{re.escape(down.reason)}">{re.escape(rule_label)}</td>',
                     history)
    why = page[page.index('id="why-this-star"'):page.index('id="rating-history"')]
    assert re.search(rf"<td>{re.escape(value_label)}</td><td>-150(\.0+)?</td>", why)
    month_label = str(GUIDANCE_INPUT_LABELS["value_month"])
    assert re.search(rf"<td>{re.escape(month_label)}</td><td>2026-05</td>", why)
