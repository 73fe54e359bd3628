"""Intake of what operators know besides billing: devices, care contacts, call quality, contracts, services held
and payment method. One write path for the single API, the bulk API and imports: `inputs_record` validates the
items' rules (pure, customers.policies) and writes them all with ONE `INSERT … SELECT FROM unnest(…) ON
CONFLICT (natural key) DO UPDATE` per kind, so 10,000 items cost the same few statements as one. A resend of
the same fact (same natural key) replaces its figures: intake is idempotent by content. Nothing is invented
for what was not sent: a month of call quality never sent has no row (unknown, not zero).
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from core import clock
from customers import policies, sql
from customers.models import CallQuality, CareContact, Contract, Device, HeldService, Line, PaymentMethodRecord


@dataclass(frozen=True)
class InputKind:
    model: type
    key: tuple[str, ...]  # besides line_id: what makes a resend the same fact
    columns: tuple[str, ...]  # the figures a resend replaces

    @property
    def table(self) -> str:
        return self.model._meta.db_table


KINDS: dict[str, InputKind] = {
    "device": InputKind(Device, ("started_on",), ("brand", "model", "price_band", "dual_sim")),
    "care_contact": InputKind(CareContact, ("reference",),
                              ("kind", "channel", "reason", "outcome", "contacted_at")),
    "call_quality": InputKind(CallQuality, ("month",), ("dropped_calls", "blocked_calls", "unanswered_calls",
                                                        "roaming_minutes", "overage_minutes")),
    "contract": InputKind(Contract, ("starts_on",), ("kind", "ends_on", "early_exit_fee")),
    "held_service": InputKind(HeldService, ("code", "started_on"), ("ended_on",)),
    "payment_method": InputKind(PaymentMethodRecord, ("since",), ("method", "auto_pay")),
}
ERR_TWICE = "The same {what} appears more than once in this request (item {first})."


@dataclass(frozen=True)
class InputResult:
    line: Line
    key: tuple
    created: bool
    kind: str = ""

    @property
    def keyed(self) -> dict:
        """The natural key by field name, e.g. {"month": date(2026, 10, 1)}."""
        return dict(zip(KINDS[self.kind].key, self.key, strict=True))


def item_rule_errors(kind: str, data: dict) -> dict[str, ValidationError]:
    """The rules of one item that need no database (customers.policies); {field: error}."""
    if kind == "contract":
        return policies.contract_errors(kind=data["kind"], starts_on=data["starts_on"], ends_on=data.get("ends_on"))
    if kind == "held_service":
        return policies.held_service_errors(started_on=data["started_on"], ended_on=data.get("ended_on"))
    if kind == "payment_method":
        return policies.payment_method_errors(method=data["method"], auto_pay=data["auto_pay"])
    return {}


def duplicate_errors(kind: str, items: list[tuple[Line, dict]]) -> dict[int, dict[str, list[str]]]:
    """{index: errors} for items repeating an earlier item's fact (one statement cannot write a row twice)."""
    spec, seen, errors = KINDS[kind], {}, {}
    for index, (line, data) in enumerate(items):
        key = (line.pk, *(data[k] for k in spec.key))
        if key in seen:
            errors[index] = {spec.key[-1]: [ERR_TWICE.format(what=" + ".join(("msisdn", *spec.key)),
                                                            first=seen[key])]}
        else:
            seen[key] = index
    return errors


class ItemsRefused(Exception):
    """Items that break a rule: {index: {field: [message]}}; nothing was written."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__(f"{len(errors)} item(s) refused")
        self.errors = errors


@transaction.atomic
def inputs_record(*, kind: str, items: list[tuple[Line, dict]]) -> list[InputResult]:
    """Write `items` ((line, validated data) pairs) of one kind; results in the items' order.

    Raises ItemsRefused and writes nothing when an item breaks a rule."""
    spec = KINDS[kind]
    errors = duplicate_errors(kind, items)
    for index, (_, data) in enumerate(items):
        if found := item_rule_errors(kind, data):
            errors.setdefault(index, {}).update({f: e.messages for f, e in found.items()})
    if errors:
        raise ItemsRefused(dict(sorted(errors.items())))
    if not items:
        return []
    names = (*spec.key, *spec.columns)
    arrays = [[line.pk for line, _ in items], [line.customer_id for line, _ in items],
              *([data.get(n) for _, data in items] for n in names)]
    with connection.cursor() as cur:
        stamp = [clock.now()] if any(f.name == "received_at" for f in spec.model._meta.concrete_fields) else []
        cur.execute(sql.inputs_upsert_sql(spec.model, key=spec.key, columns=spec.columns), [*stamp, *arrays])
        created = {tuple(row[:-1]): row[-1] for row in cur.fetchall()}
        if kind == "device":
            cur.execute(sql.SUPERSEDE_SQL, [sorted({line.pk for line, _ in items})])
    results = []
    for line, data in items:
        key = tuple(data[k] for k in spec.key)
        results.append(InputResult(line, key, created[(line.pk, *key)], kind))
    return results


def input_record(*, kind: str, line: Line, data: dict) -> InputResult:
    """One item (the single API, an import): the same write as a bulk of one; ValidationError by field."""
    try:
        return inputs_record(kind=kind, items=[(line, data)])[0]
    except ItemsRefused as exc:
        raise ValidationError({field: [ValidationError(m, code="invalid") for m in messages]
                               for field, messages in exc.errors[0].items()}) from exc


def device_record(*, line: Line, brand: str, model: str, price_band: str, dual_sim: bool,
                  first_used_on: date) -> InputResult:
    """The device in use on `line` from `first_used_on`; a later one supersedes it (history kept)."""
    return input_record(kind="device", line=line, data={"brand": brand, "model": model, "price_band": price_band,
                                                        "dual_sim": dual_sim, "started_on": first_used_on})


def care_contact_record(*, line: Line, reference: str, kind: str, channel: str, reason: str, outcome: str,
                        contacted_at) -> InputResult:
    """A complaint, service call or retention-team call; the same `reference` again corrects it."""
    return input_record(kind="care_contact", line=line, data={
        "reference": reference, "kind": kind, "channel": channel, "reason": reason, "outcome": outcome,
        "contacted_at": contacted_at})


def call_quality_record(*, line: Line, month: date, dropped_calls: int, blocked_calls: int, unanswered_calls: int,
                        roaming_minutes: int, overage_minutes: int) -> InputResult:
    """One month of a line's call quality (a resend of the month replaces it)."""
    return input_record(kind="call_quality", line=line, data={
        "month": month.replace(day=1), "dropped_calls": dropped_calls, "blocked_calls": blocked_calls,
        "unanswered_calls": unanswered_calls, "roaming_minutes": roaming_minutes,
        "overage_minutes": overage_minutes})


def contract_record(*, line: Line, kind: str, starts_on: date, ends_on: date | None,
                    early_exit_fee) -> InputResult:
    """The contract starting on `starts_on` (its term checked by customers.policies.contract_errors)."""
    return input_record(kind="contract", line=line, data={"kind": kind, "starts_on": starts_on, "ends_on": ends_on,
                                                          "early_exit_fee": early_exit_fee})


def held_service_record(*, line: Line, code: str, started_on: date, ended_on: date | None = None) -> InputResult:
    """A service held from `started_on`; the same code and start again with `ended_on` ends it."""
    return input_record(kind="held_service", line=line, data={"code": code, "started_on": started_on,
                                                              "ended_on": ended_on})


def payment_method_record(*, line: Line, method: str, auto_pay: bool, since: date) -> InputResult:
    """The way the line's bills are paid from `since`."""
    return input_record(kind="payment_method", line=line, data={"method": method, "auto_pay": auto_pay,
                                                                "since": since})
