"""The segment query: rules compile to one queryset; the page's live count equals the rows it returns."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.models import Customer
from customers.policies import months_ago
from marketing import policies, selectors
from marketing.batches import refresh_usage_facts
from marketing.filtersets import saturation_window
from tests.factories import BrandFactory, CustomerFactory, LineFactory, UsageSummaryFactory
from tests.marketing.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(org):
    """Customers spread over the rule fields (on top of org's eight, all 0★-less unrated gotone in 2020)."""
    mzone = BrandFactory(code="mzone", name="动感地带")
    c = {}
    c["gold"] = CustomerFactory(region=org.region_a, credit_star=4, avg_monthly_spend=Decimal("180"),
                                lifecycle_stage="stable", join_date=date(2015, 3, 1))
    c["young"] = CustomerFactory(region=org.region_a, credit_star=1, avg_monthly_spend=Decimal("40"), brand=mzone,
                                 lifecycle_stage="exploration", join_date=months_ago(date.today(), 3))
    c["low"] = CustomerFactory(region=org.region_b, credit_star=0, avg_monthly_spend=Decimal("25"),
                               lifecycle_stage="decline", join_date=date(2019, 5, 1))
    c["mid"] = CustomerFactory(region=org.region_b, credit_star=2, avg_monthly_spend=Decimal("95"), brand=mzone,
                               lifecycle_stage="formation", join_date=date(2024, 1, 1))
    c["ent"] = CustomerFactory(region=org.region_a, credit_star=3, avg_monthly_spend=Decimal("120"),
                               lifecycle_stage="stable", join_date=date(2018, 1, 1))
    from enterprise.models import EnterpriseAccount

    account = EnterpriseAccount.objects.create(name="长沙银行", industry="金融", region=org.region_a)
    LineFactory(customer=c["ent"], enterprise=account)
    first, end = saturation_window()
    for key, saturation in (("gold", 95), ("mid", 40)):
        line = LineFactory(customer=c[key])
        month = first
        while month < end:
            UsageSummaryFactory(line=line, month=month, plan_saturation=Decimal(saturation))
            month = months_ago(month, -1)
    refresh_usage_facts(0, 2**62)  # the nightly batch
    return c


CASES = [
    ({"star": ["3", "4", "5"]}, {"gold", "ent"}),
    ({"star": ["0", "1"], "region": "B"}, {"low"}),
    ({"brand": "mzone", "spend_min": "30"}, {"young", "mid"}),
    ({"tenure_min": 12, "spend_min": "90", "spend_max": "150"}, {"mid", "ent"}),
    ({"lifecycle_stage": ["stable"], "enterprise_member": False}, {"gold"}),
    ({"enterprise_member": True}, {"ent"}),
    ({"saturation_min": "90"}, {"gold"}),
    ({"saturation_max": "50", "star": ["2"]}, {"mid"}),
    ({"tenure_max": 6}, {"young"}),
]


def resolve(rules, org, province):
    rules = dict(rules)
    if rules.get("region") == "B":
        rules["region"] = [org.region_b.pk]
    if rules.get("brand") == "mzone":
        rules["brand"] = [province["mid"].brand_id]
    return rules


@pytest.mark.parametrize("rules, expected", CASES)
def test_segment_query_returns_exactly_the_matching_customers(org, province, rules, expected):
    qs = selectors.target_queryset(rules=resolve(rules, org, province), user=org.marketing)
    assert set(qs.values_list("pk", flat=True)) == {province[k].pk for k in expected}


@pytest.mark.parametrize("rules, expected", CASES)
def test_live_count_on_the_page_equals_the_rows_of_the_segment_query(client, org, province, rules, expected):
    rules = resolve(rules, org, province)
    client.force_login(org.marketing)
    response = client.get(reverse("marketing:segment-count"), policies.segment_filter_data(rules))
    rows = list(selectors.target_queryset(rules=rules, user=org.marketing))
    assert response.status_code == 200 and response.json()["count"] == len(rows) == len(expected)
    # the campaign page asks the endpoint for its stored segment once shown (it does not count itself)
    campaign = make_campaign(org.marketing, segment=rules)
    page = client.get(reverse("marketing:campaign", args=[campaign.pk]))
    url = html.unescape(re.search(r'id="segment-count" data-count-url="([^"]+)"', page.content.decode())[1])
    assert client.get(url).json()["count"] == len(rows)


def test_the_segment_compiles_to_one_query(org, province, django_assert_num_queries):
    qs = selectors.target_queryset(rules={"star": ["2", "3"], "enterprise_member": True, "saturation_min": "10",
                                          "tenure_min": 6}, user=org.marketing)
    with django_assert_num_queries(1):
        qs.count()


def test_minimum_star_narrows_the_target(org, province):
    qs = selectors.target_queryset(rules={"region": [org.region_a.pk]}, min_star=3, user=org.marketing)
    assert set(qs.values_list("pk", flat=True)) == {province["gold"].pk, province["ent"].pk}


def test_the_count_is_in_the_users_scope(org, province):
    book = {c.pk for c in org.book[org.am1.pk]}
    assert set(selectors.target_queryset(rules={}, user=org.am1).values_list("pk", flat=True)) == book
    assert selectors.segment_count(rules={}, user=org.marketing) == Customer.objects.count()


@pytest.mark.parametrize("rules", [{"star": ["7"]}, {"region": [999999]}, {"colour": "red"},
                                   {"spend_min": "10", "spend_max": "5"}])
def test_invalid_rules_are_refused_not_ignored(org, rules):
    with pytest.raises(ValidationError):
        selectors.target_queryset(rules=rules, user=org.marketing)


def test_invalid_live_count_answers_400(client, org):
    client.force_login(org.marketing)
    assert client.get(reverse("marketing:segment-count"), {"star": "9"}).status_code == 400


def test_usage_facts_average_the_last_three_complete_months(org):
    from marketing.models import UsageFacts

    customer = CustomerFactory()
    line = LineFactory(customer=customer)
    first, end = saturation_window(date(2026, 11, 20))  # Aug, Sep, Oct 2026
    assert (first, end) == (date(2026, 8, 1), date(2026, 11, 1))
    for month, saturation in ((date(2026, 7, 1), 10), (date(2026, 8, 1), 60), (date(2026, 9, 1), 90),
                              (date(2026, 10, 1), 120), (date(2026, 11, 1), 5)):
        UsageSummaryFactory(line=line, month=month, plan_saturation=Decimal(saturation))

    class Run:
        period = "2026-11-20"

    assert refresh_usage_facts(0, 2**62, Run()) == 1
    assert UsageFacts.objects.get(customer=customer).plan_saturation == Decimal("90.00")
    assert refresh_usage_facts(0, 2**62, Run()) == 0  # unchanged: nothing rewritten
    Run.period = "2027-06-01"  # no usage in that window any more: the fact goes
    assert refresh_usage_facts(0, 2**62, Run()) == 1 and not UsageFacts.objects.exists()


def test_the_campaign_pages_ask_the_count_with_the_minimum_star_in_the_readers_scope(client, org, province):
    """The page's count URL carries the stored segment and minimum star; asked by a manager it counts their book."""
    campaign = make_campaign(org.marketing, segment={"status": ["active"]}, min_star=3)
    for reader in (org.marketing, org.am1):
        client.force_login(reader)
        page = client.get(reverse("marketing:campaign", args=[campaign.pk])).content.decode()
        url = html.unescape(re.search(r'id="segment-count" data-count-url="([^"]+)"', page)[1])
        expected = selectors.segment_count(rules=campaign.segment, min_star=3, user=reader)
        assert client.get(url).json()["count"] == expected
    assert selectors.segment_count(rules=campaign.segment, min_star=3, user=org.marketing) != \
        selectors.segment_count(rules=campaign.segment, min_star=None, user=org.marketing)
