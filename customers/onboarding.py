"""Onboarding in bulk: up to 10,000 customers with their lines per call, under the same controls as
`services.customer_onboard` (a verified ID, no open blacklist entry, room at the numbers-per-person limit, the
policy explained, a free number, the plan of the customer's brand, today's join date unless an administrator
imports with a reason) — but checked for the whole batch with a handful of set queries, and written with
set-based inserts (customers and lines with their history rows, contacts, identity callbacks). The people of the
batch hold the onboarding gate exclusively (customers.services.ONBOARDING_GATE), so a concurrent single onboarding
or line opening waits until the batch commits.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from customers import policies, sql
from customers.bulk_types import array_cursor, array_literal, insert_unnest
from customers.choices import IdType
from customers.models import Customer, Line, OnboardingCallback, Plan, RelatedContact
from customers.services import (
    ERR_ALREADY_CUSTOMER, ERR_BLACKLISTED, ERR_MIGRATION_ONLY, ERR_MIGRATION_REASON, ERR_MSISDN_TAKEN, ERR_PLAN_BRAND,
    ERR_POLICY_NOT_EXPLAINED, ONBOARDING_GATE, OnboardingData, _is_account_manager,
)

MAX_BULK = 10_000  # the bulk door's limit too (customers.api.bulk)
ERR_TWICE_IN_BATCH = _("%(value)s appears more than once in this request (first in item %(first)s).")

@dataclass
class ExtraLine:
    msisdn: str
    plan: Plan


@dataclass
class OnboardingItem:
    """One customer of a bulk: the single onboarding's data (its msisdn/plan: the first line) and more lines."""

    data: OnboardingData
    more_lines: list[ExtraLine] = field(default_factory=list)

    def lines(self) -> list[tuple[str, Plan]]:
        if not self.more_lines:  # most customers come with one line (a bulk asks this of each item several times)
            return [(self.data.msisdn, self.data.plan)]
        return [(self.data.msisdn, self.data.plan), *((x.msisdn, x.plan) for x in self.more_lines)]


@dataclass(frozen=True)
class NewCustomer:
    """A customer the batch wrote (what its callers read: the id; no model instance per item)."""

    pk: int
    join_date: date

    @property
    def id(self) -> int:
        return self.pk


@dataclass(frozen=True)
class Onboarded:
    index: int
    customer: NewCustomer
    msisdns: list[str]


@dataclass
class BulkOnboarding:
    onboarded: list[Onboarded]
    errors: dict[int, dict[str, list[ValidationError]]]


class OnboardingRefused(Exception):
    """Items that break an onboarding control: {index: {field: [ValidationError]}}; nothing was written."""

    def __init__(self, errors: dict[int, dict[str, list[ValidationError]]]):
        super().__init__(f"{len(errors)} item(s) refused")
        self.errors = errors


class _Errors(dict):
    def add(self, index: int, name: str, error: ValidationError) -> None:
        self.setdefault(index, {}).setdefault(name, []).append(error)


def _item_errors(items: list[OnboardingItem], *, today: date, by, migration_reason: str, errors: _Errors) -> None:
    """The rules of each item that need no database, and repeats within the batch."""
    may_migrate = by.has_perm("customers.import_customers")
    first_id, first_msisdn = {}, {}
    for i, item in enumerate(items):
        d = item.data
        if d.id_type == IdType.RESIDENT_ID:
            try:
                d.id_number = policies.validate_resident_id(d.id_number, today=today)
            except ValidationError as e:
                errors.add(i, "id_number", e)
        d.id_number = d.id_number.strip().upper()
        identity = (d.id_type, d.id_number)
        if identity in first_id:
            errors.add(i, "id_number", ValidationError(ERR_TWICE_IN_BATCH, code="repeated",
                                                       params={"value": d.id_number, "first": first_id[identity]}))
        first_id.setdefault(identity, i)
        for n, (msisdn, plan) in enumerate(item.lines()):
            name = "msisdn" if n == 0 else f"more_lines[{n - 1}].msisdn"
            try:
                policies.validate_msisdn(msisdn)
            except ValidationError as e:
                errors.add(i, name, e)
            if msisdn in first_msisdn:
                errors.add(i, name, ValidationError(ERR_TWICE_IN_BATCH, code="repeated",
                                                    params={"value": msisdn, "first": first_msisdn[msisdn]}))
            first_msisdn.setdefault(msisdn, i)
            if plan.brand_id != d.brand.id:
                errors.add(i, "plan" if n == 0 else f"more_lines[{n - 1}].plan", ValidationError(
                    ERR_PLAN_BRAND, code="brand_mismatch", params={"plan": plan.name, "brand": d.brand.name}))
        for n, contact in enumerate(d.related_contacts):
            try:
                policies.validate_msisdn(contact.msisdn)
            except ValidationError as e:
                errors.add(i, f"related_contacts[{n}].msisdn", e)
        if not d.policy_explained:
            errors.add(i, "policy_explained", ValidationError(ERR_POLICY_NOT_EXPLAINED, code="required"))
        joined = d.join_date or today
        try:
            policies.check_join_date(joined, today=today, migration=joined != today)
        except ValidationError as e:
            errors.add(i, "join_date", e)
        if joined != today and not may_migrate:
            errors.add(i, "join_date", ValidationError(ERR_MIGRATION_ONLY, code="migration_only"))
        elif joined != today and not migration_reason.strip():
            errors.add(i, "migration_reason", ValidationError(ERR_MIGRATION_REASON, code="required"))


def _person_errors(items: list[OnboardingItem], errors: _Errors) -> None:
    """Against what is stored (three queries for the whole batch): blacklist; existing identity and numbers per
    person (counted over every record with the ID number, like single onboarding); numbers taken."""
    # arrays, not ORM IN lists: 10,000 ID numbers cost seconds to build; the ID numbers' array text made once for
    # the two statements that take it (array_cursor: psycopg's own list dumper quotes element by element)
    ids = array_literal(sorted({item.data.id_number for item in items}))
    with array_cursor() as cur:
        cur.execute(sql.PERSON_FACTS_SQL, {"ids": ids})
        owed = {(id_type, number): amount for id_type, number, amount in cur.fetchall()}
        cur.execute(sql.PERSON_COUNTS_SQL, {"ids": ids})
        stars, open_lines, existing = {}, {}, set()
        for number, star, held, id_types in cur.fetchall():
            stars[number], open_lines[number] = star, held
            existing.update((id_type, number) for id_type in id_types)
        cur.execute(sql.TAKEN_NUMBERS_SQL, {"msisdns": [m for item in items for m, _plan in item.lines()]})
        taken = {row[0] for row in cur.fetchall()}
    for i, item in enumerate(items):
        d, lines = item.data, item.lines()  # the item's lines made once for both checks
        identity = (d.id_type, d.id_number)
        if "id_number" not in errors.get(i, {}):
            if identity in owed:
                errors.add(i, "id_number", ValidationError(ERR_BLACKLISTED, code="blacklisted",
                                                           params={"amount": owed[identity]}))
            elif identity in existing:
                errors.add(i, "id_number", ValidationError(ERR_ALREADY_CUSTOMER, code="exists"))
            else:
                held = open_lines.get(d.id_number, 0)
                for n in range(len(lines)):  # each line of the item is one more for the person
                    try:
                        policies.check_numbers_per_person(open_lines=held + n, star=stars.get(d.id_number))
                    except ValidationError as e:
                        errors.add(i, "id_number" if n == 0 else "more_lines", e)
                        break
        for n, (msisdn, _plan) in enumerate(lines):
            if msisdn in taken:
                errors.add(i, "msisdn" if n == 0 else f"more_lines[{n - 1}].msisdn",
                           ValidationError(ERR_MSISDN_TAKEN, code="taken", params={"value": msisdn}))


def _customer_columns(items: list[OnboardingItem], *, today: date) -> dict[str, list]:
    """The per-customer columns of the batch (what Customer(...) + save() would hold), column by column (the codes'
    ids read as .id: .pk is a property call per row, 30,000 of them a batch)."""
    datas = [item.data for item in items]
    resident = IdType.RESIDENT_ID
    return {
        "name": [d.name.strip() for d in datas], "id_type": [d.id_type for d in datas],
        "id_number": [d.id_number for d in datas], "id_last4": [d.id_number[-4:].upper() for d in datas],
        "birth_date": [policies.birth_date_from_id(d.id_number) if d.id_type == resident else None for d in datas],
        "gender": [d.gender for d in datas], "address": [d.address for d in datas],
        "occupation": [d.occupation for d in datas], "industry": [d.industry for d in datas],
        "workplace": [d.workplace for d in datas], "region_id": [d.region.id for d in datas],
        "brand_id": [d.brand.id for d in datas], "join_date": [d.join_date or today for d in datas],
        "acquiring_channel_id": [d.acquiring_channel.id for d in datas],
        "data_completeness": [policies.data_completeness(
            has_address=bool(d.address), has_occupation=bool(d.occupation), has_workplace=bool(d.workplace),
            related_contacts=len(d.related_contacts)) for d in datas]}


def _insert_with_history(model, rows: dict[str, list], constants: dict[str, object], key: tuple[str, ...], *, by,
                         reason: str, when) -> dict[tuple, int]:
    """What simple_history's bulk_create_with_history writes (the rows and their "+" history rows by `by` with
    `reason`), in two set-based statements and without a model instance per row: `rows` are per-row column lists,
    `constants` one value for the whole batch, every other column takes its field's default (as Model() would);
    the new ids come back matched by the natural key `key` ({key values: id}), and the history rows are copied
    from the new rows as the same statement inserts them (a writable CTE: no second read of the rows by id)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = {**{f.column: f.get_default() for f in fields if f.column not in rows}, **constants}
    params = {f"r_{f.column}" if f.column in rows else f"c_{f.column}":
              rows[f.column] if f.column in rows else f.get_db_prep_save(values[f.column], connection)
              for f in fields}
    source = {f.column for f in fields}
    copied = [f.column for f in model.history.model._meta.concrete_fields if f.column in source | {"id"}]
    params.update(h_date=when, h_reason=reason, h_user=by.pk if by else None)
    with array_cursor() as cur:  # the rows and their history rows in one statement
        cur.execute(sql.insert_rows_with_history_sql(model, fields, arrayed=set(rows), key=key, copied=copied),
                    params)
        return {tuple(row[1:]): row[0] for row in cur.fetchall()}


def onboarding_bulk_errors(*, items: list[OnboardingItem], by, migration_reason: str = "") -> dict:
    """{index: {field: [ValidationError]}} of the items that fail a control (the onboarding gate held until the
    transaction ends, so that what was checked still holds when it is written)."""
    errors = _Errors()
    _item_errors(items, today=clock.today(), by=by, migration_reason=migration_reason, errors=errors)
    with connection.cursor() as cur:
        cur.execute(sql.LOCK_GATE_SQL, [ONBOARDING_GATE])
    _person_errors(items, errors)
    return errors


@transaction.atomic
def customers_onboard_bulk(*, items: list[OnboardingItem], by, migration_reason: str = "",
                           partial: bool = False) -> BulkOnboarding:
    """Onboard `items` (at most 10,000). All-or-nothing by default: OnboardingRefused and nothing written when
    any item fails; `partial`: the good items are written, the bad ones returned in `errors`."""
    if len(items) > MAX_BULK:
        raise ValueError(f"at most {MAX_BULK} items")
    today, now = clock.today(), clock.now()
    errors = onboarding_bulk_errors(items=items, by=by, migration_reason=migration_reason)
    if errors and not partial:
        raise OnboardingRefused(dict(sorted(errors.items())))
    good = [(i, item) for i, item in enumerate(items) if i not in errors]
    if not good:
        return BulkOnboarding([], dict(errors))
    manager = by if _is_account_manager(by) else None
    reason = f"bulk onboarding; migration import: {migration_reason}"[:100] if migration_reason else "bulk onboarding"
    columns = _customer_columns([item for _, item in good], today=today)
    ids = _insert_with_history(
        Customer, columns, {"account_manager_id": manager.pk if manager else None, "policy_explained_at": now,
                            "created_at": now, "updated_at": now},
        ("id_type", "id_number"), by=by, reason=reason, when=now)
    customers = [NewCustomer(ids[identity], joined) for identity, joined in zip(
        zip(columns["id_type"], columns["id_number"], strict=True), columns["join_date"], strict=True)]
    lines = [(c, msisdn, plan) for c, (_, item) in zip(customers, good, strict=True) for msisdn, plan in item.lines()]
    _insert_with_history(
        Line, {"customer_id": [c.pk for c, _m, _p in lines], "msisdn": [m for _c, m, _p in lines],
               "plan_id": [p.id for _c, _m, p in lines], "activated_on": [c.join_date for c, _m, _p in lines]},
        {"created_at": now, "updated_at": now}, ("msisdn",), by=by, reason=reason, when=now)
    contacts = [(c.pk, x.name, x.relation, x.msisdn) for c, (_, item) in zip(customers, good, strict=True)
                for x in item.data.related_contacts]
    if contacts:
        insert_unnest(RelatedContact, dict(zip(("customer_id", "name", "relation", "msisdn"),
                                               (list(col) for col in zip(*contacts, strict=True)), strict=True)))
    joined_today = [c.pk for c in customers if c.join_date == today]
    if joined_today:  # a migrated customer's identity was confirmed in the legacy system
        with array_cursor() as cur:
            cur.execute(sql.CALLBACKS_INSERT_SQL, {
                "ids": joined_today, "due_on": today + timedelta(days=policies.CALLBACK_DAYS),
                "assigned_to": (manager or by).pk if (manager or by) else None,
                "status": OnboardingCallback._meta.get_field("status").get_default(), "outcome": "", "now": now})
    return BulkOnboarding([Onboarded(i, c, [m for m, _plan in item.lines()])
                           for c, (i, item) in zip(customers, good, strict=True)], dict(errors))
