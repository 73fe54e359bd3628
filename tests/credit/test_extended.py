from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from arrears.models import LedgerEntry
from arrears.services import payment_record
from credit import extended, policies
from credit.models import ExtendedServicePolicy, ExtendedServiceRequest
from customers import services as customer_services
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db

RULES = policies.ExtendedRules(min_star=3, max_amount=Decimal(100), max_amount_per_month=Decimal(200),
                               max_count_per_month=3, max_persons_per_month=2, channels=("app", "outlet"))


def refusal(**overrides):
    kwargs = dict(star=4, amount=Decimal(50), channel="app", receiver_key=1, same_person=False,
                  used=policies.Usage(), available=Decimal(1000), may_change_limits=False)
    kwargs.update(overrides)
    result = policies.extended_refusal(RULES, **kwargs)
    return result[0] if result else None


@pytest.mark.parametrize("overrides, rule", [
    ({}, None),
    ({"star": 2}, "min_star"),
    ({"star": None}, "min_star"),
    ({"channel": "hotline"}, "channel"),
    ({"same_person": True}, "same_person"),
    ({"amount": Decimal(0)}, "amount_positive"),
    ({"amount": Decimal("100.01")}, "max_amount"),
    ({"used": policies.Usage(amount=Decimal(160), count=1, persons=frozenset({1}))}, "monthly_amount"),
    ({"used": policies.Usage(amount=Decimal(10), count=3, persons=frozenset({1}))}, "monthly_count"),
    ({"receiver_key": 9, "used": policies.Usage(amount=Decimal(10), count=2, persons=frozenset({1, 2}))},
     "monthly_persons"),
    ({"available": Decimal(49)}, "available"),
])
def test_each_rule_refuses_by_name(overrides, rule):
    assert refusal(**overrides) == rule


def move(giver_star, giver_after, receiver_star, receiver_after):
    return policies.LimitMove(giver_star=giver_star, giver_after=Decimal(giver_after), receiver_star=receiver_star,
                              receiver_after=Decimal(receiver_after))


@pytest.mark.parametrize("overrides, rule", [
    ({"may_change_limits": True, "move": move(5, "400", 4, "300")}, None),  # both ends of their ranges
    ({"move": move(5, "400", 4, "300")}, "role"),  # a limit move needs the credit role
    ({"may_change_limits": True, "move": move(5, "299.99", 4, "250")}, "giver_range"),
    ({"may_change_limits": True, "move": move(5, "400", 4, "300.01")}, "receiver_range"),
    ({"may_change_limits": True, "move": move(5, "400", 0, "50")}, "receiver_range"),  # 0★: [0, 0]
    ({"may_change_limits": True, "move": move(5, "400", None, "50")}, "receiver_range"),
    ({"may_change_limits": True, "move": move(4, "550", 5, "400")}, "giver_range"),  # above the range too
])
def test_a_limit_move_needs_the_credit_role_and_stays_in_both_star_ranges(overrides, rule):
    assert refusal(**overrides) == rule


def test_the_range_refusal_names_the_new_limit_and_the_range():
    result = policies.extended_refusal(RULES, star=5, amount=Decimal(50), channel="app", receiver_key=1,
                                       same_person=False, used=policies.Usage(), available=Decimal(1000),
                                       may_change_limits=True, move=move(5, "250", 4, "250"))
    assert result == ("giver_range", "The giver's limit would become 250 CNY, outside the 5★ range [300, 500].")


def test_an_existing_receiver_does_not_count_as_a_new_person():
    used = policies.Usage(amount=Decimal(10), count=2, persons=frozenset({1, 2}))
    assert refusal(receiver_key=1, used=used) is None


def two_customers(star=4, limit="200", balance="500"):
    """A giver whose line's ledger holds `balance` (a payment through the intake service) and a 1★ receiver."""
    giver = CustomerFactory(credit_star=star, credit_limit=Decimal(limit))
    line = LineFactory(customer=giver)
    payment_record(line=line, amount=Decimal(balance), paid_at=timezone.now(), channel="counter",
                   reference=f"top-up-{line.pk}")
    receiver = CustomerFactory(credit_star=1, credit_limit=Decimal("10"))
    return giver, LineFactory(customer=receiver, msisdn="13922220000")


def refused_rule(**kwargs) -> str:
    """The rule a request breaks: a ValidationError whose code names it, and nothing written."""
    before = ExtendedServiceRequest.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as err:
        extended.extended_service_request(**kwargs)
    assert (ExtendedServiceRequest.objects.count(), LedgerEntry.objects.count()) == before
    (field, errors), = err.value.error_dict.items()
    return errors[0].code


def test_balance_transfer_is_recorded_and_monthly_caps_apply(org):
    giver, receiver_line = two_customers()
    ok = extended.extended_service_request(service="balance_transfer", giver=giver, receiver_msisdn="13922220000",
                                           amount=Decimal("100"), channel="app", by=org.credit_officer)
    assert ok.status == "approved"
    for _ in range(2):  # the default cap is 300 CNY a month
        extended.extended_service_request(service="balance_transfer", giver=giver, receiver_msisdn="13922220000",
                                          amount=Decimal("100"), channel="app", by=org.credit_officer)
    assert refused_rule(service="balance_transfer", giver=giver, receiver_msisdn="13922220000", amount=Decimal("1"),
                        channel="app", by=org.credit_officer) == "monthly_amount"
    assert ExtendedServiceRequest.objects.count() == 3


def test_low_star_is_refused_with_the_rule_named(org):
    giver, _ = two_customers(star=2, limit="20")
    assert refused_rule(service="credit_sharing", giver=giver, receiver_msisdn="13922220000", amount=Decimal("10"),
                        channel="app", by=org.credit_officer) == "min_star"


def test_credit_sharing_has_a_validity_and_reduces_what_can_be_shared(org):
    giver, _ = two_customers(star=3, limit="100")
    share = extended.extended_service_request(service="credit_sharing", giver=giver, receiver_msisdn="13922220000",
                                              amount=Decimal("80"), channel="app", by=org.credit_officer)
    assert share.status == "approved" and share.valid_until is not None
    assert extended.shared_out(giver) == Decimal("80")
    assert refused_rule(service="credit_sharing", giver=giver, receiver_msisdn="13922220000", amount=Decimal("30"),
                        channel="app", by=org.credit_officer) == "available"


def test_credit_transfer_moves_limit_and_records_both_sides(org):
    giver, receiver_line = two_customers(star=5, limit="500")
    receiver_line.customer.credit_star, receiver_line.customer.credit_limit = 4, Decimal("200")
    receiver_line.customer.save()
    request = extended.extended_service_request(service="credit_transfer", giver=giver,
                                                receiver_msisdn="13922220000", amount=Decimal("100"),
                                                channel="outlet", by=org.credit_officer)
    giver.refresh_from_db()
    receiver_line.customer.refresh_from_db()
    assert request.status == "approved"
    assert (giver.credit_limit, receiver_line.customer.credit_limit) == (Decimal("400"), Decimal("300"))
    assert giver.ratings.get().rule == "credit_transfer"
    assert receiver_line.customer.ratings.get().decided_by == org.credit_officer
    # 4★ range is [200, 300]: one more CNY would leave it, refused naming the rule, nothing moved
    assert refused_rule(service="credit_transfer", giver=giver, receiver_msisdn="13922220000", amount=Decimal("1"),
                        channel="outlet", by=org.credit_officer) in {"monthly_count", "receiver_range"}


def test_inactive_service_and_unknown_receiver(org):
    giver, _ = two_customers()
    ExtendedServicePolicy.objects.filter(service="balance_transfer").update(active=False)
    assert refused_rule(service="balance_transfer", giver=giver, receiver_msisdn="13922220000", amount=Decimal("1"),
                        channel="app", by=org.credit_officer) == "inactive"
    with pytest.raises(ValidationError) as err:
        extended.extended_service_request(service="balance_transfer", giver=giver, receiver_msisdn="13900000000",
                                          amount=Decimal("1"), channel="app", by=org.credit_officer)
    assert "receiver_msisdn" in err.value.error_dict


def test_number_change_keeps_star_and_limit():
    customer = CustomerFactory(credit_star=4, credit_limit=Decimal("250"))
    line = LineFactory(customer=customer)
    customer_services.line_number_change(line=line, new_msisdn="15000001111")
    customer.refresh_from_db()
    line.refresh_from_db()
    assert line.msisdn == "15000001111" and (customer.credit_star, customer.credit_limit) == (4, Decimal("250"))
    with pytest.raises(ValidationError):
        customer_services.line_number_change(line=line, new_msisdn="123")
