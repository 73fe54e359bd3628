"""Writes for customers: onboarding, personal-data reveal. Views, API and batches all call these."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers import policies
from customers.choices import AccessChannel, IdType
from customers.models import (
    BlacklistEntry, Brand, Channel, Customer, Line, OnboardingCallback, PersonalDataAccess, Plan, RelatedContact,
)
from core.models import Region

ERR_BLACKLISTED = _("This person is blacklisted and must first settle %(amount)s CNY of old arrears.")
ERR_POLICY_NOT_EXPLAINED = _("Confirm that the tariff and credit policy were explained to the customer.")
ERR_MSISDN_TAKEN = _("Mobile number %(value)s already belongs to a line.")
ERR_ALREADY_CUSTOMER = _("A customer with this ID already exists.")
ERR_PLAN_BRAND = _("Plan %(plan)s does not belong to brand %(brand)s.")
ERR_NO_PERMISSION = _("You may not view this customer's personal data.")


@dataclass
class ContactData:
    name: str
    relation: str
    msisdn: str


@dataclass
class OnboardingData:
    name: str
    id_type: str
    id_number: str
    region: Region
    brand: Brand
    plan: Plan
    msisdn: str
    acquiring_channel: Channel
    policy_explained: bool
    gender: str = ""
    address: str = ""
    occupation: str = ""
    industry: str = ""
    workplace: str = ""
    join_date: date | None = None
    related_contacts: list[ContactData] = field(default_factory=list)


def blacklist_amount_owed(*, id_type: str, id_number: str) -> Decimal | None:
    """Total owed on open blacklist entries for this identity, or None if not blacklisted."""
    total = BlacklistEntry.objects.filter(
        id_type=id_type, id_number=id_number.upper(), cleared_at__isnull=True
    ).aggregate(total=Sum("amount_owed"))["total"]
    return total


def _validate_onboarding(data: OnboardingData) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}

    def fail(name, error):
        errors.setdefault(name, []).append(error)

    if data.id_type == IdType.RESIDENT_ID:
        try:
            data.id_number = policies.validate_resident_id(data.id_number)
        except ValidationError as e:
            fail("id_number", e)
    for name, value in [("msisdn", data.msisdn)] + [(f"related_contacts[{i}].msisdn", c.msisdn)
                                                    for i, c in enumerate(data.related_contacts)]:
        try:
            policies.validate_msisdn(value)
        except ValidationError as e:
            fail(name, e)
    if not data.policy_explained:
        fail("policy_explained", ValidationError(ERR_POLICY_NOT_EXPLAINED, code="required"))
    if data.plan.brand_id != data.brand.pk:
        fail("plan", ValidationError(ERR_PLAN_BRAND, code="brand_mismatch",
                                     params={"plan": data.plan.name, "brand": data.brand.name}))
    if "msisdn" not in errors and Line.objects.filter(msisdn=data.msisdn).exists():
        fail("msisdn", ValidationError(ERR_MSISDN_TAKEN, code="taken", params={"value": data.msisdn}))
    if "id_number" not in errors:
        owed = blacklist_amount_owed(id_type=data.id_type, id_number=data.id_number)
        if owed is not None:
            fail("id_number", ValidationError(ERR_BLACKLISTED, code="blacklisted", params={"amount": owed}))
        elif Customer.objects.filter(id_type=data.id_type, id_number=data.id_number).exists():
            fail("id_number", ValidationError(ERR_ALREADY_CUSTOMER, code="exists"))
    return errors


@transaction.atomic
def customer_onboard(*, data: OnboardingData, by) -> Customer:
    """Open a new customer with their first line (pre-sale controls of source 000).

    Verifies the ID, refuses a blacklisted person with the amount owed, requires that the
    tariff and credit policy were explained, and schedules the identity callback.
    Raises ValidationError keyed by field; writes nothing on error.
    """
    errors = _validate_onboarding(data)
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    join_date = data.join_date or today
    customer = Customer(
        name=data.name.strip(), id_type=data.id_type, id_number=data.id_number,
        birth_date=policies.birth_date_from_id(data.id_number) if data.id_type == IdType.RESIDENT_ID else None,
        gender=data.gender, address=data.address, occupation=data.occupation, industry=data.industry,
        workplace=data.workplace, region=data.region, brand=data.brand, join_date=join_date,
        acquiring_channel=data.acquiring_channel, account_manager=by if _is_account_manager(by) else None,
        policy_explained_at=timezone.now(),
        data_completeness=policies.data_completeness(
            has_address=bool(data.address), has_occupation=bool(data.occupation),
            has_workplace=bool(data.workplace), related_contacts=len(data.related_contacts),
        ),
    )
    customer.full_clean()
    customer.save()
    line = Line(customer=customer, msisdn=data.msisdn, plan=data.plan, activated_on=join_date)
    line.full_clean()
    line.save()
    RelatedContact.objects.bulk_create(
        RelatedContact(customer=customer, name=c.name, relation=c.relation, msisdn=c.msisdn)
        for c in data.related_contacts
    )
    OnboardingCallback.objects.create(
        customer=customer, due_on=join_date + timedelta(days=policies.CALLBACK_DAYS),
        assigned_to=customer.account_manager or by,
    )
    return customer


def _is_account_manager(user) -> bool:
    from core.choices import Role
    from core.roles import user_role

    return user_role(user) in {Role.ACCOUNT_MANAGER, Role.TEAM_LEAD}


def personal_data_reveal(*, user, customer: Customer, channel: str = AccessChannel.PAGE,
                         ip_address: str | None = None) -> dict[str, str]:
    """Unmasked ID number and address, logged. The caller has already scoped `customer` to `user`."""
    if not user.has_perm("customers.view_personal_data"):
        raise PermissionError(str(ERR_NO_PERMISSION))
    PersonalDataAccess.objects.create(
        user=user, customer=customer, fields="id_number,address", channel=channel, ip_address=ip_address
    )
    return {"id_number": customer.id_number, "address": customer.address}
