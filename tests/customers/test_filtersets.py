from datetime import date

import pytest
from freezegun import freeze_time

from customers.filtersets import CustomerFilterSet
from customers.models import Customer
from tests.factories import CustomerFactory, LineFactory, resident_id

pytestmark = pytest.mark.django_db


def ids(params):
    return set(CustomerFilterSet(params, queryset=Customer.objects.all()).qs.values_list("pk", flat=True))


def test_search_by_name_prefix_number_and_id_tail(org):
    customer = CustomerFactory(name="欧阳娜娜", id_number="11010519491231002X")
    LineFactory(customer=customer, msisdn="15812345678")
    assert ids({"q": "欧阳"}) == {customer.pk}
    assert ids({"q": "15812345678"}) == {customer.pk}
    assert ids({"q": "158123"}) == {customer.pk}
    assert ids({"q": "002x"}) == {customer.pk}  # ID tail, case-insensitive X


def test_id_tail_starting_with_1_is_not_taken_for_a_number(org):
    customer = CustomerFactory(id_number="440524198001010013")
    assert customer.pk in ids({"q": "0013"})
    other = CustomerFactory(id_number=resident_id(123, born="19700101"))
    assert other.id_last4.startswith("123")
    assert ids({"q": other.id_last4}) == {other.pk}


@freeze_time("2026-11-23 10:00:00+08:00")
def test_tenure_bounds_in_months(org):
    six = CustomerFactory(join_date=date(2026, 5, 23))
    five = CustomerFactory(join_date=date(2026, 5, 24))
    assert six.pk in ids({"tenure_min": 6}) and five.pk not in ids({"tenure_min": 6})
    assert five.pk in ids({"tenure_max": 5}) and six.pk not in ids({"tenure_max": 5})


def test_spend_range_and_status(org):
    rich = CustomerFactory(avg_monthly_spend=500, status="one_way_barred")
    assert ids({"spend_min": 400}) == {rich.pk}
    assert ids({"status": ["one_way_barred"]}) == {rich.pk}


def test_every_filter_the_issue_names_exists():
    assert {"region", "brand", "star", "status", "tenure_min", "tenure_max", "spend_min", "spend_max", "q",
            "ordering"} <= set(CustomerFilterSet.base_filters)
