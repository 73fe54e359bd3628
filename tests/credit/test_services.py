from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from credit import selectors, services
from credit.models import Factor, FactorBin, FourEyesRequest, Rating, ScoringModel, StarCutoff
from customers.models import Customer
from customers.selectors import blacklist_owed
from tests.credit.publishing import publish, second_officer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_default_model_ships_published_with_the_group_factors():
    model = selectors.scoring_model_published()
    features = set(model.factors.values_list("feature", flat=True))
    assert {"brand", "tenure_months", "avg_monthly_spend", "suspensions_12m"} <= features
    assert {"data_completeness", "related_contacts", "late_bills_12m", "arrears_days_12m", "auto_pay",
            "value_ratio", "enterprise_member", "spend_stability"} <= features
    assert sorted(model.cutoffs.values_list("star", flat=True)) == [1, 2, 3, 4, 5]


def test_a_published_model_cannot_be_edited():
    model = selectors.scoring_model_published()
    factor = model.factors.first()
    with pytest.raises(ValidationError) as err:
        factor.weight = Decimal("2")
        factor.save()
    assert err.value.code == "immutable"
    with pytest.raises(ValidationError):
        factor.bins.first().delete()
    with pytest.raises(ValidationError):
        StarCutoff.objects.create(scoring_model=model, star=1, min_score=1)


def test_copy_then_edit_then_publish_retires_the_old_version(org):
    old = selectors.scoring_model_published()
    draft = services.scoring_model_copy(model=old, by=org.credit_officer)
    assert draft.status == "draft" and draft.version == old.version + 1
    assert draft.factors.count() == old.factors.count()
    factor = draft.factors.get(feature="brand")
    factor.weight = Decimal("2")
    factor.save()  # drafts are editable
    second = second_officer()
    publish(draft, asker=org.credit_officer, approver=second)
    old.refresh_from_db()
    assert (old.status, selectors.scoring_model_published().pk) == ("retired", draft.pk)
    assert ScoringModel.objects.get(pk=draft.pk).published_by == second  # who put it in force: the approver


def test_publish_refuses_a_model_without_cutoffs(org):
    draft = ScoringModel.objects.create(version=99, name="empty")
    factor = Factor.objects.create(scoring_model=draft, dimension="loyalty", feature="tenure_months", weight=1)
    FactorBin.objects.create(factor=factor, lower=0, points=1)
    with pytest.raises(ValidationError) as err:
        services.scoring_model_publish_request(model=draft, by=org.credit_officer, reason="x")
    assert "cutoffs" in err.value.error_dict


def rated(star, limit):
    return CustomerFactory(credit_star=star, credit_limit=Decimal(limit))


def test_limit_change_inside_range_needs_no_second_approver(org):
    customer = rated(4, "200")
    rating = services.credit_limit_change(customer=customer, amount=Decimal("280"), reason="良好缴费",
                                          by=org.credit_officer)
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("280") and rating.approved_by is None
    assert (rating.old_limit, rating.new_limit, rating.decided_by) == (Decimal("200"), Decimal("280"),
                                                                       org.credit_officer)


def test_limit_change_outside_range_becomes_a_four_eyes_request_and_changes_nothing(org):
    customer = rated(4, "200")
    request = services.credit_limit_change(customer=customer, amount=Decimal("350"), reason="大客户",
                                           by=org.credit_officer)
    assert isinstance(request, FourEyesRequest)
    assert (request.status, request.subject, request.requested_by) == ("pending", customer, org.credit_officer)
    assert request.payload == {"amount": "350.00", "star": 4, "old_limit": "200.00"}
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("200") and not Rating.objects.exists()


def test_only_the_credit_role_changes_limits_whatever_the_path(org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.credit_limit_change(customer=rated(4, "200"), amount=Decimal("250"), reason="x", by=org.am1)


@pytest.mark.parametrize("amount, reason, field", [("-1", "x", "amount"), ("100", " ", "reason")])
def test_limit_change_bad_input_names_the_field(org, amount, reason, field):
    with pytest.raises(ValidationError) as err:
        services.credit_limit_change(customer=rated(3, "50"), amount=Decimal(amount), reason=reason,
                                     by=org.credit_officer)
    assert field in err.value.error_dict


def test_unrated_customer_has_no_limit_to_change(org):
    with pytest.raises(ValidationError):
        services.credit_limit_change(customer=rated(None, "0"), amount=Decimal("10"), reason="x",
                                     by=org.credit_officer)


def test_blacklisting_makes_unrated_at_once_and_blocks_onboarding(org):
    customer = rated(4, "200")
    services.customer_blacklist(customer=customer, reason="恶意欠费", amount_owed=Decimal("123.40"),
                                by=org.credit_officer)
    customer.refresh_from_db()
    assert (customer.credit_star, customer.credit_limit) == (None, Decimal("0"))
    assert Rating.objects.get(customer=customer).rule == "blacklisted"
    assert blacklist_owed(id_type=customer.id_type, id_number=customer.id_number) == Decimal("123.40")


def test_closure_ends_credit(org):
    customer = rated(2, "20")
    services.customer_credit_end(customer=customer, reason="销户")
    customer.refresh_from_db()
    assert (customer.credit_star, customer.credit_limit) == (None, Decimal("0"))
    assert services.customer_credit_end(customer=customer, reason="again") is None


@pytest.mark.parametrize("grade, star, limit", [("AAA", 5, "300"), ("BBB", 2, "20"), ("CCC", 0, "0")])
def test_legacy_grade_import(grade, star, limit):
    customer = rated(None, "0")
    services.legacy_grade_import(customer=customer, grade=grade)
    customer.refresh_from_db()
    assert (customer.credit_star, customer.credit_limit) == (star, Decimal(limit))


def test_star_snapshot_counts_stars_and_replaces_the_day():
    rated(5, "300"), rated(5, "300"), rated(None, "0")
    services.star_snapshot_take()
    services.star_snapshot_take()
    from credit.models import StarSnapshot

    counts = dict(StarSnapshot.objects.values_list("star", "count"))
    assert counts[5] == 2 and counts[None] >= 1
    assert StarSnapshot.objects.filter(star=5).count() == 1
    assert Customer.objects.count() == sum(counts.values())
