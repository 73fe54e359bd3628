"""Onboarding in bulk (up to 10,000 customers with their first line): the single onboarding's controls
(customers/services.py and customers/policies.py) over the whole batch with a few set queries, then a few
set-based INSERTs (customers, lines, related contacts, identity callbacks, history rows)."""

from collections import Counter
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from customers import policies, services
from customers.bulk_types import BulkOutcome, insert_unnest
from customers.choices import IdType, ServiceStatus
from customers.models import BlacklistEntry, Customer, Line, OnboardingCallback, RelatedContact


def _messages(error: ValidationError) -> list[str]:
    return list(error.messages)


def _checked(items, *, today, migration, by, out: BulkOutcome) -> None:
    """Every rule of `services._validate_onboarding`, for the batch: the pure ones item by item, the ones that
    read the database with one query per rule for all items; a repeat inside the batch is refused like an
    existing one."""
    for pos, data in enumerate(items):
        errors: dict[str, list[str]] = {}

        def fail(name, error, errors=errors):
            errors.setdefault(name, []).extend(_messages(error))

        if data.id_type == IdType.RESIDENT_ID:
            try:
                data.id_number = policies.validate_resident_id(data.id_number)
            except ValidationError as e:
                fail("id_number", e)
        else:
            data.id_number = data.id_number.strip().upper()
        try:
            policies.validate_msisdn(data.msisdn)
        except ValidationError as e:
            fail("msisdn", e)
        for i, contact in enumerate(data.related_contacts):
            try:
                policies.validate_msisdn(contact.msisdn)
            except ValidationError as e:
                fail(f"related_contacts[{i}].msisdn", e)
        if not data.policy_explained:
            fail("policy_explained", ValidationError(services.ERR_POLICY_NOT_EXPLAINED, code="required"))
        if data.plan.brand_id != data.brand.pk:
            fail("plan", ValidationError(services.ERR_PLAN_BRAND, code="brand_mismatch",
                                         params={"plan": data.plan.name, "brand": data.brand.name}))
        services._validate_join_date(data, today=today, migration=migration, by=by, fail=fail)
        if errors:
            out.errors[pos] = errors
    good = [pos for pos in range(len(items)) if pos not in out.errors]
    numbers = [items[pos].msisdn for pos in good]
    ids = [items[pos].id_number for pos in good]
    taken = set(Line.objects.filter(msisdn__in=numbers).values_list("msisdn", flat=True))
    owed = dict(BlacklistEntry.objects.filter(id_number__in=ids, cleared_at__isnull=True).values("id_number")
                .annotate(total=Sum("amount_owed")).values_list("id_number", "total"))
    people = {row["id_number"]: row for row in Customer.objects.filter(id_number__in=ids).values("id_number")
              .annotate(star=Max("credit_star"), open_lines=Count("lines", filter=~Q(
                  lines__status=ServiceStatus.CLOSED)))}
    existing = set(Customer.objects.filter(id_number__in=ids).values_list("id_type", "id_number"))
    seen_numbers, seen_people = Counter(), Counter()
    for pos in good:
        data, errors = items[pos], {}
        if data.msisdn in taken or seen_numbers[data.msisdn]:
            errors["msisdn"] = [str(services.ERR_MSISDN_TAKEN % {"value": data.msisdn})]
        if data.id_number in owed:
            errors["id_number"] = [str(services.ERR_BLACKLISTED % {"amount": owed[data.id_number]})]
        else:
            person = people.get(data.id_number, {"star": None, "open_lines": 0})
            try:
                policies.check_numbers_per_person(open_lines=person["open_lines"] + seen_people[data.id_number],
                                                  star=person["star"])
            except ValidationError as e:
                errors["id_number"] = _messages(e)
            else:
                if (data.id_type, data.id_number) in existing or seen_people[data.id_number]:
                    errors["id_number"] = [str(services.ERR_ALREADY_CUSTOMER)]
        seen_numbers[data.msisdn] += 1
        seen_people[data.id_number] += 1
        if errors:
            out.errors[pos] = errors


@transaction.atomic
def customers_onboard_bulk(*, items: list[services.OnboardingData], by, partial: bool = False,
                           migration: services.MigrationImport | None = None) -> BulkOutcome:
    """Open customers with their first line, all under the single onboarding's controls; results are the new
    Customers by position. Not `partial`: one refused item writes nothing."""
    out = BulkOutcome()
    if not items:
        return out
    today, now = timezone.localdate(), timezone.now()
    with connection.cursor() as cur:  # the onboarding gate, exclusively: single onboardings hold it shared
        cur.execute("SELECT pg_advisory_xact_lock(%s, 0)", [services.ONBOARDING_GATE])
    _checked(items, today=today, migration=migration, by=by, out=out)
    if out.errors and not partial:
        transaction.set_rollback(True)
        return out
    good = [pos for pos in range(len(items)) if pos not in out.errors]
    if not good:
        return out
    rows = [items[pos] for pos in good]
    join = migration.join_date if migration else today
    manager = by.pk if services._is_account_manager(by) else None
    customer_ids = dict(insert_unnest(Customer, {
        "created_at": [now] * len(rows), "updated_at": [now] * len(rows),
        "name": [d.name.strip() for d in rows], "id_type": [d.id_type for d in rows],
        "id_number": [d.id_number for d in rows], "id_last4": [d.id_number[-4:].upper() for d in rows],
        "birth_date": [policies.birth_date_from_id(d.id_number) if d.id_type == IdType.RESIDENT_ID else None
                       for d in rows],
        "gender": [d.gender for d in rows], "address": [d.address for d in rows],
        "occupation": [d.occupation for d in rows], "industry": [d.industry for d in rows],
        "workplace": [d.workplace for d in rows], "region_id": [d.region.pk for d in rows],
        "brand_id": [d.brand.pk for d in rows], "join_date": [join] * len(rows),
        "status": [ServiceStatus.ACTIVE] * len(rows), "acquiring_channel_id": [d.acquiring_channel.pk for d in rows],
        "account_manager_id": [manager] * len(rows), "vip_tier": [Customer._meta.get_field("vip_tier").default] *
        len(rows), "lifecycle_stage": [Customer._meta.get_field("lifecycle_stage").default] * len(rows),
        "credit_star": [None] * len(rows), "credit_limit": [0] * len(rows), "avg_monthly_spend": [0] * len(rows),
        "data_completeness": [policies.data_completeness(
            has_address=bool(d.address), has_occupation=bool(d.occupation), has_workplace=bool(d.workplace),
            related_contacts=len(d.related_contacts)) for d in rows],
        "policy_explained_at": [now] * len(rows),
    }, returning="id_number, id"))
    ids = [customer_ids[d.id_number] for d in rows]
    insert_unnest(Line, {
        "created_at": [now] * len(rows), "updated_at": [now] * len(rows), "customer_id": ids,
        "msisdn": [d.msisdn for d in rows], "plan_id": [d.plan.pk for d in rows],
        "status": [ServiceStatus.ACTIVE] * len(rows), "activated_on": [join] * len(rows),
    })
    contacts = [(cid, c) for cid, d in zip(ids, rows, strict=True) for c in d.related_contacts]
    if contacts:
        insert_unnest(RelatedContact, {"customer_id": [cid for cid, _ in contacts],
                                       "name": [c.name for _, c in contacts],
                                       "relation": [c.relation for _, c in contacts],
                                       "msisdn": [c.msisdn for _, c in contacts]})
    if not migration:  # a migrated customer's identity was confirmed when they joined the legacy system
        insert_unnest(OnboardingCallback, {
            "created_at": [now] * len(rows), "updated_at": [now] * len(rows), "customer_id": ids,
            "due_on": [join + timedelta(days=policies.CALLBACK_DAYS)] * len(rows),
            "assigned_to_id": [manager or (by.pk if by else None)] * len(rows), "status": ["open"] * len(rows),
            "outcome": [""] * len(rows)})
    reason = f"migration import, join date {join.isoformat()}: {migration.reason}"[:100] if migration else None
    _history(Customer, "id = ANY(%(ids)s)", ids, by, reason, now)
    _history(Line, "customer_id = ANY(%(ids)s)", ids, by, None, now)
    by_id = Customer.objects.in_bulk(ids)
    for pos, cid in zip(good, ids, strict=True):
        out.results[pos] = by_id[cid]
    return out


def _history(model, where: str, ids: list[int], by, reason: str | None, now) -> None:
    """The '+' history rows simple_history writes on a save, for the new rows at once."""
    history = model.history.model
    tracked = [f.column for f in history._meta.concrete_fields
               if not f.column.startswith("history_") and f.column != "id" or f.column == "id"]
    tracked = [c for c in tracked if c in {f.column for f in model._meta.concrete_fields}]
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {q(history._meta.db_table)} ({", ".join(q(c) for c in tracked)}, history_date,
                        history_change_reason, history_type, history_user_id)
            SELECT {", ".join(q(c) for c in tracked)}, %(now)s, %(reason)s, '+', %(by)s
            FROM {q(model._meta.db_table)} WHERE {where}""",
                    {"ids": ids, "now": now, "reason": reason, "by": by.pk if by else None})
