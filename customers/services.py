"""Writes for customers: onboarding, opening lines, updates, personal-data reveal. Views, API, commands and
batches all call these."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.choices import Role
from core.models import Region
from core.roles import user_role
from customers import policies, sql
from customers.choices import AccessChannel, IdType, ServiceStatus
from customers.selectors import blacklist_owed
from customers.models import (
    Brand,
    Channel,
    Customer,
    Line,
    OnboardingCallback,
    PersonalDataAccess,
    Plan,
    RelatedContact,
)

ERR_BLACKLISTED = _("This person is blacklisted and must first settle %(amount)s CNY of old arrears.")
ERR_POLICY_NOT_EXPLAINED = _("Confirm that the tariff and credit policy were explained to the customer.")
ERR_MSISDN_TAKEN = _("Mobile number %(value)s already belongs to a line.")
ERR_ALREADY_CUSTOMER = _("A customer with this ID already exists.")
ERR_PLAN_BRAND = _("Plan %(plan)s does not belong to brand %(brand)s.")
ERR_NO_PERMISSION = _("You may not view this customer's personal data.")
ERR_MIGRATION_ONLY = _("Only an administrator importing from a legacy system may set an earlier join date.")
ERR_MIGRATION_REASON = _("Say why this customer is imported with an earlier join date (e.g. the migration batch).")

# Unique indexes a concurrent write can still hit after the checks: the field and the rule to answer with.
UNIQUE_RULES = {
    "customer_unique_identity": ("id_number", ERR_ALREADY_CUSTOMER, "exists"),
    "customers_line_msisdn_key": ("msisdn", ERR_MSISDN_TAKEN, "taken"),
}
# Namespace of the transaction-level advisory locks that serialise the line openings of one person.
PERSON_LOCK = 4301
# The onboarding gate: each single onboarding or line opening holds it shared, a bulk onboarding exclusively (one
# lock for a whole batch: 10,000 per-person locks would overflow the server's lock table).
ONBOARDING_GATE = 4302


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
    join_date: date | None = None  # the public paths may only send today
    related_contacts: list[ContactData] = field(default_factory=list)


@dataclass(frozen=True)
class MigrationImport:
    """A customer moved over from a legacy system keeps their original join date; who and why go to history."""

    join_date: date
    reason: str


def _lock_person(id_number: str) -> None:
    """Serialise onboarding and line openings of one person (until commit), so that the identity and the
    numbers-per-person checks hold when two requests for the same person arrive at once."""
    with connection.cursor() as cur:
        cur.execute(sql.PERSON_LOCK_SQL, [ONBOARDING_GATE, PERSON_LOCK, id_number.strip().upper()])


def _person_errors(*, id_type: str, id_number: str) -> list[ValidationError]:
    """The onboarding controls on the person (source 000, DOMAIN.md §4): a verified ID, no open blacklist entry
    (refused with the amount owed), and room for one more line at their star, counted over every record with
    this ID number."""
    if id_type == IdType.RESIDENT_ID:
        try:
            policies.validate_resident_id(id_number)
        except ValidationError as e:
            return [e]
    owed = blacklist_owed(id_type=id_type, id_number=id_number)
    if owed is not None:
        return [ValidationError(ERR_BLACKLISTED, code="blacklisted", params={"amount": owed})]
    records = Customer.objects.filter(id_number=id_number.upper())
    star = records.aggregate(star=Max("credit_star"))["star"]
    open_lines = Line.objects.filter(customer__in=records).exclude(status=ServiceStatus.CLOSED).count()
    try:
        policies.check_numbers_per_person(open_lines=open_lines, star=star)
    except ValidationError as e:
        return [e]
    return []


def _save_unique(obj) -> None:
    """Save; a unique index hit by a concurrent write becomes the same field error the checks give."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as e:
        rule = UNIQUE_RULES.get(getattr(getattr(e.__cause__, "diag", None), "constraint_name", None))
        if rule is None:
            raise
        name, message, code = rule
        raise ValidationError({name: ValidationError(message, code=code,
                                                     params={"value": getattr(obj, "msisdn", "")})}) from e


def _msisdn_errors(msisdn: str) -> list[ValidationError]:
    try:
        policies.validate_msisdn(msisdn)
    except ValidationError as e:
        return [e]
    if Line.objects.filter(msisdn=msisdn).exists():
        return [ValidationError(ERR_MSISDN_TAKEN, code="taken", params={"value": msisdn})]
    return []


def _validate_onboarding(data: OnboardingData, *, today: date, migration: MigrationImport | None,
                         by) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}

    def fail(name, error):
        errors.setdefault(name, []).append(error)

    if data.id_type == IdType.RESIDENT_ID:
        try:
            data.id_number = policies.validate_resident_id(data.id_number)
        except ValidationError as e:
            fail("id_number", e)
    for e in _msisdn_errors(data.msisdn):
        fail("msisdn", e)
    for i, c in enumerate(data.related_contacts):
        try:
            policies.validate_msisdn(c.msisdn)
        except ValidationError as e:
            fail(f"related_contacts[{i}].msisdn", e)
    if not data.policy_explained:
        fail("policy_explained", ValidationError(ERR_POLICY_NOT_EXPLAINED, code="required"))
    if data.plan.brand_id != data.brand.pk:
        fail("plan", ValidationError(ERR_PLAN_BRAND, code="brand_mismatch",
                                     params={"plan": data.plan.name, "brand": data.brand.name}))
    _validate_join_date(data, today=today, migration=migration, by=by, fail=fail)
    if "id_number" not in errors:
        person = _person_errors(id_type=data.id_type, id_number=data.id_number)
        if person:
            errors["id_number"] = person
        elif Customer.objects.filter(id_type=data.id_type, id_number=data.id_number).exists():
            fail("id_number", ValidationError(ERR_ALREADY_CUSTOMER, code="exists"))
    return errors


def _validate_join_date(data: OnboardingData, *, today: date, migration: MigrationImport | None, by, fail) -> None:
    if migration is None:
        if data.join_date is not None:
            try:
                policies.check_join_date(data.join_date, today=today, migration=False)
            except ValidationError as e:
                fail("join_date", e)
        return
    if not by.has_perm("customers.import_customers"):
        fail("join_date", ValidationError(ERR_MIGRATION_ONLY, code="migration_only"))
    if not migration.reason.strip():
        fail("migration_reason", ValidationError(ERR_MIGRATION_REASON, code="required"))
    try:
        policies.check_join_date(migration.join_date, today=today, migration=True)
    except ValidationError as e:
        fail("join_date", e)


@transaction.atomic
def customer_onboard(*, data: OnboardingData, by, migration: MigrationImport | None = None) -> Customer:
    """Open a new customer with their first line (pre-sale controls of source 000).

    Verifies the ID, refuses a blacklisted person with the amount owed and a person at their numbers-per-person
    limit, requires that the tariff and credit policy were explained, and schedules the identity callback.
    The customer joins today; only `migration` (an administrator's import from a legacy system, with a reason)
    sets an earlier join date, and the customer's history records who and why.
    Raises ValidationError keyed by field; writes nothing on error.
    """
    _lock_person(data.id_number)
    today = clock.today()
    errors = _validate_onboarding(data, today=today, migration=migration, by=by)
    if errors:
        raise ValidationError(errors)
    join_date = migration.join_date if migration else today
    customer = Customer(
        name=data.name.strip(), id_type=data.id_type, id_number=data.id_number,
        birth_date=policies.birth_date_from_id(data.id_number) if data.id_type == IdType.RESIDENT_ID else None,
        gender=data.gender, address=data.address, occupation=data.occupation, industry=data.industry,
        workplace=data.workplace, region=data.region, brand=data.brand, join_date=join_date,
        acquiring_channel=data.acquiring_channel, account_manager=by if _is_account_manager(by) else None,
        policy_explained_at=clock.now(),
        data_completeness=policies.data_completeness(
            has_address=bool(data.address), has_occupation=bool(data.occupation),
            has_workplace=bool(data.workplace), related_contacts=len(data.related_contacts),
        ),
    )
    customer.full_clean(validate_constraints=False)  # the unique identity is checked above, under the lock
    customer._history_user = by
    if migration:
        customer._change_reason = f"migration import, join date {join_date.isoformat()}: {migration.reason}"[:100]
    _save_unique(customer)
    line = Line(customer=customer, msisdn=data.msisdn, plan=data.plan, activated_on=join_date)
    line.full_clean(validate_unique=False)
    _save_unique(line)
    RelatedContact.objects.bulk_create(
        RelatedContact(customer=customer, name=c.name, relation=c.relation, msisdn=c.msisdn)
        for c in data.related_contacts
    )
    if not migration:  # a migrated customer's identity was confirmed when they joined the legacy system
        OnboardingCallback.objects.create(
            customer=customer, due_on=join_date + timedelta(days=policies.CALLBACK_DAYS),
            assigned_to=customer.account_manager or by,
        )
    return customer


@transaction.atomic
def line_open(*, customer: Customer, msisdn: str, plan: Plan, by, activated_on: date | None = None) -> Line:
    """Open another line for an existing customer, under the same onboarding controls as the first: a verified
    ID, not blacklisted, not closed, room at the person's numbers-per-person limit, and activated today (or
    corrected a few days back). Raises ValidationError keyed by field; writes nothing on error."""
    _lock_person(customer.id_number)
    customer = Customer.objects.get(pk=customer.pk)  # the status as of now, under the lock
    now = clock.now()
    activated_on = activated_on or timezone.localdate(now)
    errors: dict[str, list[ValidationError]] = {}
    if found := _msisdn_errors(msisdn):
        errors["msisdn"] = found
    try:
        policies.check_activation_date(activated_on, now=now)
    except ValidationError as e:
        errors["activated_on"] = [e]
    try:
        policies.check_can_get_line(status=customer.status)
    except ValidationError as e:
        errors["customer"] = [e]
    else:
        if found := _person_errors(id_type=customer.id_type, id_number=customer.id_number):
            errors["customer"] = found
    if errors:
        raise ValidationError(errors)
    line = Line(customer=customer, msisdn=msisdn, plan=plan, activated_on=activated_on)
    line.full_clean(validate_unique=False)
    line._history_user = by
    _save_unique(line)
    return line


def _is_account_manager(user) -> bool:
    return user_role(user) in {Role.ACCOUNT_MANAGER, Role.TEAM_LEAD}


@transaction.atomic
def customer_update(*, customer: Customer, by, changes: dict) -> Customer:
    """Change a customer's profile fields. A governed field (the VIP tier) changes only for the roles that own
    it; anyone else's change of it is refused by name and nothing is written."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    current = {name: getattr(customer, name) for name in changes}
    refused = policies.refused_governed_fields(changes, current, by.has_perm)
    if refused:
        raise ValidationError({name: ValidationError(policies.ERR_GOVERNED_FIELD, code="governed",
                                                     params={"field": name}) for name in refused})
    for name, value in changes.items():
        setattr(customer, name, value)
    customer.full_clean()
    customer._history_user = by
    customer.save(update_fields=[*changes, "updated_at"])
    return customer


def personal_data_reveal(*, user, customer: Customer, purpose: str, purpose_note: str,
                         channel: str = AccessChannel.PAGE, ip_address: str | None = None) -> dict[str, str]:
    """Unmasked ID number and address, logged with why they were needed. The caller has already scoped
    `customer` to `user`. PermissionError without the personal-data permission, ValidationError (purpose,
    purpose_note) without a stated purpose; nothing is revealed or logged then."""
    if not user.has_perm("customers.view_personal_data"):
        raise PermissionError(str(ERR_NO_PERMISSION))
    errors = policies.reveal_purpose_errors(purpose, purpose_note)
    if errors:
        raise ValidationError(errors)
    PersonalDataAccess.objects.create(
        user=user, customer=customer, fields="id_number,address", channel=channel, ip_address=ip_address,
        purpose=purpose, purpose_note=purpose_note.strip(),
    )
    return {"id_number": customer.id_number, "address": customer.address}


@transaction.atomic
def line_number_change(*, line: Line, new_msisdn: str, by=None) -> Line:
    """Number change within the province keeps the credit star and limit (credit portability, 004):
    credit belongs to the customer, so only the number moves; the change is in the line's history."""
    try:
        new_msisdn = policies.validate_msisdn(new_msisdn)
    except ValidationError as e:
        raise ValidationError({"new_msisdn": e}) from e
    if Line.objects.filter(msisdn=new_msisdn).exists():
        raise ValidationError({"new_msisdn": ValidationError(_("Number %(value)s is taken."), code="taken",
                                                             params={"value": new_msisdn})})
    line = Line.objects.select_for_update().get(pk=line.pk)
    line.msisdn = new_msisdn
    line.save(update_fields=["msisdn", "updated_at"])
    return line
