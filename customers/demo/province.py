"""Orchestration: wipe, reference data (ORM), then the main thread generates chunks of customers while two
worker threads stream them into PostgreSQL with COPY over their own connections, each then rebuilding its
tables' indexes, committing and vacuuming.

Only what the outside world sends is generated. Customers and lines go in as onboarding opens them (active,
unrated); the monthly inputs billing sends (usage summaries, bills, payments, cancellations) go to the inbox
schema `replay_inbox`, from which `replay_province` feeds them month by month through the bulk intake services
while it runs each month's scheduled jobs, so every derived table is the product's own work."""

import queue
import threading
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q

from arrears.models import Bill, Payment
from core.choices import Role
from core.models import BatchChunk, BatchRun, Region, StaffProfile, Team
from customers.demo import extras, identity, lines, people, usage
from customers.demo.catalog import MOBILE_PREFIXES
from customers.demo.copy import BulkLoader
from customers.demo.encode import column_types, encode_binary, encode_csv
from customers.demo.org import build_org
from customers.demo.users import DEMO_USERNAMES
from customers.models import (
    BlacklistEntry, Brand, Channel, Customer, Device, Line, LineStatusChange, OnboardingCallback,
    PersonalDataAccess, Plan, RelatedContact, UsageSummary,
)
from enterprise.models import EnterpriseAccount

CHUNK = 100_000  # customers per chunk; part of the seed's meaning, so fixed
MAX_BILL_MONTHS = usage.MONTHS - 1
LOADED = (Customer, Line, Device, RelatedContact, BlacklistEntry, OnboardingCallback)
# Billing's monthly inputs: into the inbox (same columns as their tables), for the replay to feed through the intake.
INBOX_SCHEMA = "replay_inbox"
INBOX = (UsageSummary, Bill, Payment, LineStatusChange)
# Two connections load side by side: the customers' tables (indexed after the load), and the inbox's money.
GROUPS = ((Customer, Line, Device, RelatedContact, BlacklistEntry, OnboardingCallback), ())
INBOX_GROUP = {UsageSummary: 0, LineStatusChange: 0, Bill: 1, Payment: 1}
INBOX_INDEX = {UsageSummary: "month", Bill: "period", Payment: "paid_at", LineStatusChange: "changed_at"}
BINARY = {UsageSummary, Bill, Payment}
WIPED = LOADED + INBOX + (PersonalDataAccess, EnterpriseAccount, Channel, Plan, Brand, StaffProfile, Team, Region,
                          BatchChunk, BatchRun, Customer.history.model, Line.history.model,
                          BlacklistEntry.history.model)


def inbox_table(model) -> str:
    return f"{INBOX_SCHEMA}.{model._meta.db_table}"


def make_inbox() -> None:
    """An empty inbox: one table per input, with its table's columns and no constraints or indexes."""
    with connection.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {INBOX_SCHEMA} CASCADE")
        cur.execute(f"CREATE SCHEMA {INBOX_SCHEMA}")
        for model in INBOX:
            cur.execute(f"CREATE TABLE {inbox_table(model)} (LIKE public.{model._meta.db_table} INCLUDING DEFAULTS)")
        cur.execute(f"CREATE TABLE {INBOX_SCHEMA}.progress (month date PRIMARY KEY, done_at timestamptz NOT NULL)")


def index_inbox() -> None:
    with connection.cursor() as cur:
        for model, column in INBOX_INDEX.items():
            cur.execute(f"CREATE INDEX ON {inbox_table(model)} ({column})")
            cur.execute(f"ANALYZE {inbox_table(model)}")


class AlreadyPopulated(Exception):
    pass


@dataclass
class Item:
    model: type
    names: list[str]
    payload: bytes
    rows: int
    binary: bool
    table: str


def wipe(log=print) -> None:
    """Empty the demo tables (RESTART IDENTITY CASCADE) and delete generated staff users."""
    User = get_user_model()
    tables = [m._meta.db_table for m in WIPED]
    with transaction.atomic():
        staff = list(User.objects.filter(is_superuser=False).exclude(username__in=DEMO_USERNAMES)
                     .filter(Q(staff_profile__isnull=False) | Q(groups__name__in=Role.values))
                     .values_list("id", flat=True).distinct())
        with connection.cursor() as cur:
            cur.execute("TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(f'"{t}"' for t in tables)))
        deleted = User.objects.filter(id__in=staff).delete()[1].get(User._meta.label, 0)
    log(f"wiped {len(tables)} demo tables (and tables referencing them) and {deleted:,} staff users")


def _superuser() -> bool:
    """Only a superuser can switch foreign-key triggers off; otherwise one connection drops and re-adds FKs."""
    with connection.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cur.fetchone()[0])


def _chunks(seed: int, org, today: date, n_customers: int, offsets: dict, bill_months: int):
    """Yield Items chunk by chunk, then the count of customers so far; all derives from (seed, chunk number)."""
    registry = identity.UniqueKeys()
    msisdns = identity.MsisdnMaker(np.random.default_rng([seed, 2]), MOBILE_PREFIXES)
    next_id = {m: offsets[m._meta.db_table] + 1 for m in LOADED} | {m: 1 for m in INBOX}
    for chunk, start in enumerate(range(0, n_customers, CHUNK)):
        rng = np.random.default_rng([seed, 100, chunk])
        n = min(CHUNK, n_customers - start)
        c = people.make_customers(rng, org, today, n, next_id[Customer], registry, first_chunk=chunk == 0)
        ln = lines.make_lines(rng, org, c, today, next_id[Line], msisdns)
        money = usage.make_money(rng, org, c, ln, today, {"usage": next_id[UsageSummary], "bills": next_id[Bill],
                                                          "payments": next_id[Payment]}, bill_months)
        black, n_black = extras.make_blacklist(rng, c, today, next_id[BlacklistEntry], registry)
        c.cols.update(people.finish_customers(rng, c, money.avg_spend_cents))
        parts = [
            (Customer, c.cols, n), (Line, ln.cols, ln.n), (UsageSummary, money.usage, money.n_usage),
            (Bill, money.bills, money.n_bills), (Payment, money.payments, money.n_payments),
            (Device, *extras.make_devices(rng, c, today, next_id[Device])),
            (RelatedContact, *extras.make_contacts(rng, c, next_id[RelatedContact])),
            (LineStatusChange, *extras.make_status_changes(rng, c, ln, today, next_id[LineStatusChange])),
            (BlacklistEntry, black, n_black),
            (OnboardingCallback, *extras.make_callbacks(rng, c, today, next_id[OnboardingCallback])),
        ]
        for model, cols, rows in parts:
            next_id[model] += rows
            if rows:
                binary = model in BINARY
                names, payload = (encode_binary if binary else encode_csv)(model, cols, rows)
                yield Item(model, names, payload, rows, binary,
                           inbox_table(model) if model in INBOX else model._meta.db_table)
        yield start + n  # customers generated so far


def generate(*, n_customers: int, seed: int, today: date, wipe_first: bool, bill_months: int = MAX_BILL_MONTHS,
             log=print) -> dict:
    started = time.perf_counter()
    if not 1 <= bill_months <= MAX_BILL_MONTHS:
        raise ValueError(f"bill months must be between 1 and {MAX_BILL_MONTHS}")
    if wipe_first:
        wipe(log)
        log(f"  in {time.perf_counter() - started:.1f} s")
    elif Customer.objects.exists():
        raise AlreadyPopulated(f"The database already holds {Customer.objects.count():,} customers.")
    org = build_org(seed, n_customers)
    log(f"reference data: {len(org.region_ids)} regions, {org.staff_count:,} staff, {len(org.acquiring.ids):,} "
        f"outlets/agents, {len(org.enterprises.ids):,} enterprises in {time.perf_counter() - started:.1f} s")
    for model in LOADED + INBOX:
        column_types(model)  # resolve in this thread, before the workers start
    make_inbox()
    loaders = [BulkLoader(group, log=log) for group in (GROUPS if _superuser() else (LOADED,))]
    route = {model: i for i, loader in enumerate(loaders) for model in loader.models}
    route.update({model: min(group, len(loaders) - 1) for model, group in INBOX_GROUP.items()})
    queues = [queue.Queue(maxsize=8) for _ in loaders]
    failed = threading.Event()
    errors: list[BaseException] = []
    timings = {}
    workers = []
    try:
        offsets = {}
        for loader in loaders:
            offsets.update(loader.open(others={t for other in loaders if other is not loader for t in other.tables}))
        log(f"bulk load over {len(loaders)} connection(s); COPY FREEZE into "
            f"{', '.join(t for loader in loaders for t in loader.tables if t in loader.frozen) or 'no table'}; "
            f"foreign-key triggers {'off' if loaders[0].fk_triggers_off else 'dropped'}")
        workers = [threading.Thread(target=_consume, name=f"copy-{i}", daemon=True,
                                    args=(loaders[i], queues[i], failed, errors, timings, started, log))
                   for i in range(len(loaders))]
        for worker in workers:
            worker.start()
        for item in _chunks(seed, org, today, n_customers, offsets, bill_months):
            targets = [queues[route[item.model]]] if isinstance(item, Item) else queues[:1]
            for q in targets:
                while not failed.is_set():
                    try:
                        q.put(item, timeout=0.5)
                        break
                    except queue.Full:
                        continue
            if failed.is_set():
                break
        timings["generated"] = time.perf_counter() - started
        for q in queues:
            q.put(None)
        for worker in workers:
            worker.join()
        if errors:
            raise errors[0]
    except BaseException:
        failed.set()
        for worker in workers:
            worker.join(timeout=60)
        for loader in loaders:
            loader.abort()
        raise
    index_inbox()
    from arrears.demo import inbox_sp_charges  # billing's bills carry them

    log(f"SP charges in the inbox: {inbox_sp_charges(INBOX_SCHEMA):,}")
    total = time.perf_counter() - started
    log("table                                 rows    copy s  index s  vacuum s")
    for loader in loaders:
        for table in loader.tables + [t for t in loader.rows if t.startswith(INBOX_SCHEMA)]:
            log(f"{table:32} {loader.rows[table]:>12,} {loader.copy_seconds[table]:8.1f} "
                f"{loader.index_seconds[table]:8.1f} {loader.vacuum_seconds[table]:8.1f}")
    log(f"generated in {timings['generated']:.1f} s; connections done at "
        + ", ".join(f"{t:.1f} s" for t in timings.get("done", [])))
    log(f"total: {n_customers:,} customers in {total:.1f} s")
    return {"rows": {t: n for loader in loaders for t, n in loader.rows.items()}, "seconds": total}


def _consume(loader: BulkLoader, items: queue.Queue, failed: threading.Event, errors: list, timings: dict,
             started: float, log) -> None:
    """One connection's worker: COPY what the generator hands over, then rebuild indexes, commit, vacuum."""
    chunks = 0
    try:
        while (item := items.get()) is not None:
            if failed.is_set():
                return
            if isinstance(item, Item):
                loader.write(item.table, item.names, item.payload, item.rows, binary=item.binary)
            else:
                chunks += 1
                log(f"  chunk {chunks}: {item:,} customers copied, {time.perf_counter() - started:.1f} s")
        loader.close()
        timings.setdefault("done", []).append(time.perf_counter() - started)
    except BaseException as exc:
        errors.append(exc)
        failed.set()
