"""The credit-state service's end of credit (closure, blacklisting) tells billing: one credit_limit_changed
decision event per open line, in the same statement (credit.state.END_SQL)."""

from datetime import date
from decimal import Decimal

import pytest

from credit import blacklist
from customers.models import DecisionEvent
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


def test_blacklisting_tells_billing_the_limit_of_every_open_line_is_zero(org):
    line = LineFactory(customer__credit_star=4, customer__credit_limit=Decimal("200.00"))
    other = LineFactory(customer=line.customer)
    gone = LineFactory(customer=line.customer, status="closed", closed_on=date(2025, 1, 1))
    blacklist.blacklist_entry_add(customer=line.customer, reason="欺诈", amount_owed=Decimal("10.00"),
                                  by=org.credit_officer)
    rows = DecisionEvent.objects.filter(customer=line.customer).values_list(
        "line_id", "kind", "from_state", "to_state", "rule", "payload")
    assert sorted(rows) == sorted(
        (pk, "credit_limit_changed", "200.00", "0.00", "blacklisted",
         {"creditLimit": "0.00", "previousCreditLimit": "200.00", "creditStar": None})
        for pk in (line.pk, other.pk))
    assert not DecisionEvent.objects.filter(line=gone).exists()
