from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import BlacklistEntry, Customer, Line, OnboardingCallback, PersonalDataAccess, RelatedContact
from customers.services import ContactData, OnboardingData, customer_onboard, personal_data_reveal
from tests.factories import ChannelFactory, LineFactory, PlanFactory, RegionFactory, resident_id

pytestmark = pytest.mark.django_db


def onboarding_data(**overrides) -> OnboardingData:
    region = RegionFactory(code="4301")
    plan = PlanFactory()
    values = dict(
        name="张三", id_type="resident_id", id_number=resident_id(7, born="19850505"), region=region,
        brand=plan.brand, plan=plan,
        msisdn="13900001111", acquiring_channel=ChannelFactory(region=region), policy_explained=True,
        address="湖南省长沙市岳麓区", occupation="教师",
    )
    values.update(overrides)
    return OnboardingData(**values)


def test_onboarding_opens_customer_line_and_identity_callback_in_three_days(org):
    customer = customer_onboard(data=onboarding_data(), by=org.am1)

    assert customer.account_manager == org.am1
    assert customer.id_last4 == customer.id_number[-4:]
    assert Line.objects.get(customer=customer).msisdn == "13900001111"
    callback = OnboardingCallback.objects.get(customer=customer)
    assert callback.due_on == timezone.localdate() + timedelta(days=3)
    assert callback.assigned_to == org.am1
    assert customer.policy_explained_at is not None


def test_related_contacts_raise_data_completeness(org):
    bare = customer_onboard(data=onboarding_data(), by=org.am1)
    richer = customer_onboard(
        data=onboarding_data(id_number=resident_id(8, born="19850505"), msisdn="13900002222", workplace="长沙某公司",
                             related_contacts=[ContactData("李四", "配偶", "13900003333")]),
        by=org.am1,
    )
    assert richer.data_completeness > bare.data_completeness
    assert RelatedContact.objects.filter(customer=richer).count() == 1


def test_blacklisted_person_is_refused_with_amount_owed_and_nothing_is_written(org):
    id_number = resident_id(9, born="19850505")
    BlacklistEntry.objects.create(id_number=id_number, reason="销户欠费", amount_owed=Decimal("321.50"))
    BlacklistEntry.objects.create(id_number=id_number, reason="第二笔欠费", amount_owed=Decimal("10.00"))

    with pytest.raises(ValidationError) as err:
        customer_onboard(data=onboarding_data(id_number=id_number), by=org.am1)

    error = err.value.error_dict["id_number"][0]
    assert error.code == "blacklisted"
    assert "331.50" in error.message % error.params
    assert not Customer.objects.filter(id_number=id_number).exists()
    assert not Line.objects.filter(msisdn="13900001111").exists()


def test_cleared_blacklist_entry_no_longer_blocks(org):
    id_number = resident_id(10, born="19850505")
    BlacklistEntry.objects.create(id_number=id_number, reason="已结清", amount_owed=Decimal("5.00"),
                                  cleared_at=timezone.now())
    assert customer_onboard(data=onboarding_data(id_number=id_number), by=org.am1).pk


@pytest.mark.parametrize(
    "overrides, field, code",
    [
        ({"id_number": "430102199001011232"}, "id_number", "checksum"),
        ({"msisdn": "12345"}, "msisdn", "msisdn"),
        ({"policy_explained": False}, "policy_explained", "required"),
        ({"related_contacts": [ContactData("王五", "朋友", "999")]}, "related_contacts[0].msisdn", "msisdn"),
    ],
)
def test_invalid_onboarding_names_the_field_and_writes_nothing(org, overrides, field, code):
    before = Customer.objects.count()
    with pytest.raises(ValidationError) as err:
        customer_onboard(data=onboarding_data(**overrides), by=org.am1)
    assert err.value.error_dict[field][0].code == code
    assert Customer.objects.count() == before
    assert not OnboardingCallback.objects.exists()


def test_number_already_in_use_is_refused(org):
    LineFactory(msisdn="13900001111")
    with pytest.raises(ValidationError) as err:
        customer_onboard(data=onboarding_data(), by=org.am1)
    assert err.value.error_dict["msisdn"][0].code == "taken"


def test_reveal_is_logged_and_needs_permission(org):
    customer = org.book[org.am1.pk][0]
    why = {"purpose": "billing_dispute", "purpose_note": "客户对账单有异议"}
    data = personal_data_reveal(user=org.am1, customer=customer, ip_address="127.0.0.1", **why)
    assert data["id_number"] == customer.id_number
    assert PersonalDataAccess.objects.filter(user=org.am1, customer=customer, channel="page",
                                             purpose="billing_dispute").count() == 1
    with pytest.raises(PermissionError):
        personal_data_reveal(user=org.marketing, customer=customer, **why)
    with pytest.raises(ValidationError) as err:
        personal_data_reveal(user=org.am1, customer=customer, purpose="other", purpose_note="x" * 201)
    assert err.value.error_dict["purpose_note"][0].code == "max_length"
    assert PersonalDataAccess.objects.count() == 1
