"""A campaign's segment rules and the customer list's filters are one vocabulary with two interpreters: the
segment query (marketing.selectors.target_queryset, SegmentFilterSet) and the customer list (page and API,
customers.filtersets.CustomerFilterSet). Every rule the list knows selects the same customers in both
(#17 item 4)."""

import pytest

from customers.filtersets import CustomerFilterSet
from marketing import policies, selectors
from tests.marketing.test_segment import CASES, province, resolve  # noqa: F401  (province is a fixture)

pytestmark = pytest.mark.django_db

LIST_RULES = [(rules, expected) for rules, expected in CASES if set(rules) <= set(CustomerFilterSet.base_filters)]


def test_the_table_covers_the_rules_the_list_knows():
    assert {key for rules, _ in LIST_RULES for key in rules} >= {"star", "region", "brand", "tenure_min",
                                                                 "tenure_max", "spend_min", "spend_max"}


@pytest.mark.parametrize("rules, expected", LIST_RULES)
def test_the_customer_list_selects_what_the_segment_selects(client, org, province, rules, expected):  # noqa: F811
    rules = resolve(rules, org, province)
    segment = set(selectors.target_queryset(rules=rules, user=org.credit_officer).values_list("pk", flat=True))
    client.force_login(org.credit_officer)
    response = client.get("/api/customers/", {**policies.segment_filter_data(rules), "page_size": 1000})
    assert response.status_code == 200
    body = response.json()
    listed = {row["id"] for row in (body["results"] if isinstance(body, dict) else body)}
    assert listed == segment == {province[k].pk for k in expected}
