"""Load a churn data set (one row per customer: a snapshot, no monthly history) through the product's intake.

The mapping file (JSON, beside the command: retention/datasets/*.json) says which column holds what; another
operator's file needs only another mapping. Every row becomes what the intake would receive:
- a customer and a line, onboarded in bulk as a migration import (original join date = scan date − tenure;
  `customers.onboarding.customers_onboard_bulk`), on a plan carrying the row's monthly fee (the catalogue:
  one plan per distinct fee);
- the contract in force on the scan date, the payment method and the services held (`customers.inputs`);
- a churned row: billing's cancellation `days_after_scan` days after the scan date (`customers.intake.
  line_status_report`), so the outcome comes after the scan date and no feature can see it.
Numbers and IDs are generated from the row's position (deterministic); a row whose number exists is skipped,
so a re-run loads nothing twice. The scan date is the first of the month two months before today unless given.
"""

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from core.models import Region
from customers.choices import ServiceStatus
from customers.intake import line_status_report
from customers.inputs import inputs_record
from customers.models import Brand, Channel, Line, Plan
from customers.onboarding import OnboardingItem, customers_onboard_bulk
from customers.policies import id_check_char, months_ago
from customers.services import OnboardingData

BATCH = 2000
REASON = "churn data set import"


@dataclass
class ImportReport:
    scan_date: date
    rows: int = 0
    loaded: int = 0
    skipped: int = 0
    churned: int = 0
    refused: dict = field(default_factory=dict)  # row id -> errors


class MappingError(ValueError):
    pass


def mapped_columns(mapping: dict) -> list[str]:
    columns = [mapping["id"], mapping["tenure_months"], mapping["monthly_fee"], mapping["churn"]["column"]]
    columns += [mapping[k]["column"] for k in ("gender", "contract", "payment_method") if k in mapping]
    return columns + [s["column"] for s in mapping.get("services", [])]


def default_scan_date(today: date | None = None) -> date:
    return months_ago((today or timezone.localdate()).replace(day=1), 2)


def _id_number(index: int, area: str, male: bool) -> str:
    born = date(1950, 1, 1) + timedelta(days=index // 500)
    first17 = f"{area}{born:%Y%m%d}{(index % 500) * 2 + int(male):03d}"
    return first17 + id_check_char(first17)


def _catalogue(spec: dict):
    region, _ = Region.objects.get_or_create(code=spec["region"]["code"], defaults={"name": spec["region"]["name"]})
    brand, _ = Brand.objects.get_or_create(code=spec["brand"]["code"], defaults={"name": spec["brand"]["name"]})
    channel, _ = Channel.objects.get_or_create(code=spec["channel"]["code"], defaults={
        "name": spec["channel"]["name"], "kind": spec["channel"]["kind"], "region": region})
    return region, brand, channel


def _plan(fee: Decimal, brand: Brand, prefix: str, cache: dict) -> Plan:
    if fee not in cache:
        cache[fee], _ = Plan.objects.get_or_create(
            code=f"{prefix}-{int(fee * 100)}", defaults={
                "name": f"{fee} 元套餐", "brand": brand, "monthly_fee": fee, "voice_minutes": 0, "data_mb": 0,
                "sms_count": 0, "out_of_plan_voice_rate": Decimal("0")})
    return cache[fee]


def _contract(row: dict, mapping: dict, joined: date, scan: date) -> dict | None:
    spec = mapping.get("contract")
    term = spec and spec["values"].get(row[spec["column"]])
    if not term:
        return None
    months = term.get("months")
    if not months:
        return {"kind": term["kind"], "starts_on": joined, "ends_on": None, "early_exit_fee": Decimal("0.00")}
    start = joined  # fixed terms renew: the term in force on the scan date started on the last anniversary
    while months_ago(start, -months) <= scan:
        start = months_ago(start, -months)
    return {"kind": term["kind"], "starts_on": start, "ends_on": months_ago(start, -months),
            "early_exit_fee": Decimal("0.00")}


def dataset_load(path: str, mapping: dict, *, by, scan: date | None = None) -> ImportReport:
    scan = scan or default_scan_date()
    cat = mapping["catalogue"]
    region, brand, channel = _catalogue(cat)
    report, plans = ImportReport(scan), {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    missing = sorted(set(mapped_columns(mapping)) - set(rows[0] if rows else []))
    if missing:
        raise MappingError(f"columns in the mapping but not in the file: {', '.join(missing)}")
    report.rows = len(rows)
    for start in range(0, len(rows), BATCH):
        _load_batch(rows[start:start + BATCH], start, mapping, cat, scan, region, brand, channel, plans, by, report)
    return report


def _number(row, column) -> Decimal | None:
    try:
        return Decimal(str(row[column]).strip())
    except (InvalidOperation, KeyError):
        return None


@transaction.atomic
def _load_batch(rows, offset, mapping, cat, scan, region, brand, channel, plans, by, report):
    msisdns = [f"{cat['msisdn_prefix']}{offset + i:07d}" for i in range(len(rows))]
    existing = set(Line.objects.filter(msisdn__in=msisdns).values_list("msisdn", flat=True))
    items, kept = [], []
    gender = mapping.get("gender", {})
    for i, (row, msisdn) in enumerate(zip(rows, msisdns, strict=True)):
        if msisdn in existing:
            report.skipped += 1
            continue
        tenure, fee = _number(row, mapping["tenure_months"]), _number(row, mapping["monthly_fee"])
        if tenure is None or fee is None or fee <= 0:
            report.refused[row.get(mapping["id"], offset + i)] = "tenure or monthly fee missing"
            continue
        joined = months_ago(scan, int(tenure)) if tenure >= 1 else scan - timedelta(days=7)
        sex = gender.get("values", {}).get(row.get(gender.get("column", ""), ""), "")
        data = OnboardingData(
            name=f"客户{row[mapping['id']]}"[:50], id_type="resident_id",
            id_number=_id_number(offset + i, cat["id_area"], sex == "M"), region=region, brand=brand,
            plan=_plan(fee.quantize(Decimal("0.01")), brand, cat["plan_prefix"], plans), msisdn=msisdn,
            acquiring_channel=channel, policy_explained=True, gender=sex, join_date=joined)
        items.append(OnboardingItem(data))
        kept.append(row)
    if not items:
        return
    result = customers_onboard_bulk(items=items, by=by, migration_reason=REASON, partial=True)
    for index, errors in result.errors.items():
        report.refused[kept[index][mapping["id"]]] = {k: [str(e.message) for e in v] for k, v in errors.items()}
    lines = {ln.msisdn: ln for ln in Line.objects.filter(msisdn__in=[m for o in result.onboarded for m in o.msisdns])}
    contracts, payments, services, closures = [], [], [], []
    for onboarded in result.onboarded:
        row, line = kept[onboarded.index], lines[onboarded.msisdns[0]]
        joined = items[onboarded.index].data.join_date
        if (contract := _contract(row, mapping, joined, scan)) is not None:
            contracts.append((line, contract))
        pay = mapping.get("payment_method")
        if pay and (method := pay["values"].get(row[pay["column"]])):
            payments.append((line, {"method": method["method"], "auto_pay": method["auto_pay"], "since": joined}))
        for spec in mapping.get("services", []):
            if code := spec["values"].get(row.get(spec["column"], "")):
                services.append((line, {"code": code, "started_on": joined, "ended_on": None}))
        if row.get(mapping["churn"]["column"]) in mapping["churn"]["churned"]:
            closures.append(line)
    for kind, batch in (("contract", contracts), ("payment_method", payments), ("held_service", services)):
        if batch:
            inputs_record(kind=kind, items=batch)
    churn = mapping["churn"]
    at = timezone.make_aware(datetime.combine(scan + timedelta(days=churn.get("days_after_scan", 15)), time(12)))
    for line in closures:
        line_status_report(line=line, status=ServiceStatus.CLOSED, changed_at=at, reason=churn["reason"], by=by)
    report.loaded += len(result.onboarded)
    report.churned += len(closures)


def mapping_read(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
