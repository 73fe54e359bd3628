"""Replay the generated province's history month by month through the product's own doors.

For each month (the first one starts with the inputs of every earlier month, the product's initial load):
the night of the 1st runs (the scheduled jobs that fire that night: the monthly base rating,
the half-yearly guidance, the nightly arrears evaluation, spend refresh, retention scan, enterprise
segmentation, star snapshot, the customer value of the month before last, whose bills came on the last 1st ...),
then what billing sends by the 20th goes in through the set-based bulk
intake services (last month's usage summaries and bills with their SP charges, the payments and cancellations
of those days), the night of the 21st runs (the bills fell due on the 20th), then the rest of the month's
payments and cancellations. The last DAILY_DAYS days up to tonight run night by night, each after the inputs of
the day before, so the daily jobs leave a day-by-day trail (the star trend, the SMS the evaluations queue, the
nightly runs on the batch list). The jobs are the enabled crontab schedules (as `run_night` reads them) that fire
that night, then each interval schedule once (the SMS outbox dispatch, the four-eyes expiry: what the scheduler
runs every minute of the day), run here in process with Celery eager, so whatever a branch adds to the schedule
runs in the replay too. The nightly jobs catch up the days since their last run (arrears evaluation per missed
day), so the earlier months' two nights a month are enough for their state; their daily trail stays sparse
(night by night over 18 months would cost the replay several times its time).

The intake decides at the replayed moment: the inputs go in day by day, each day's batches under the business
clock of the moment they arrived (core.clock.as_of: the 1st's bills and summaries after that night's run, a day's
payments and status changes at their own time), and each night's jobs under its 00:30; so every decision and row
the intake writes (barring and decision events, line status logs, ledger entries, accounts, SMS) is dated in the
replayed history, never on the day the replay runs: a line restored by a payment on the 2nd is restored on the 2nd.

A month done is recorded in the inbox (`replay_inbox.progress`): re-running resumes after it. Nothing is
written around the intake or the jobs: every derived row (ratings, accounts, barring, snapshots, alerts) is the
product's work.
"""

import heapq
import json
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core import clock
from customers.demo.province import INBOX_SCHEMA, inbox_table
from customers.models import Line, LineStatusChange, UsageSummary

FEED_CHUNK = 10_000  # items per bulk call, as a bulk post carries at most
DUE_NIGHT = 21  # the night after bills fall due (the 20th)
DAILY_DAYS = 30  # the last month is replayed night by night; the months before, on the 1st and the 21st
ZONE = ZoneInfo(settings.TIME_ZONE)  # the operator's (Asia/Shanghai): the days of the replayed history
NIGHT_AT = clock_time(0, 30)  # the nightly jobs' schedule (arrears.evaluation.decision_moment)
BILLS_ARRIVE = clock_time(1, 0)  # billing's monthly summaries and bills come on the 1st, after that night's run


class NoInbox(Exception):
    pass


def _month(day: date, k: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 + k, 12)
    return date(y, m + 1, 1)


def months_to_replay(today: date, months: int) -> list[date]:
    return [_month(today.replace(day=1), k) for k in range(-months + 1, 1)]


def nights_of(month: date, *, today: date, daily_from: date, first: bool) -> list[date]:
    """The nights the replay runs in `month`: the 1st (not in the first month: its inputs are the product's initial
    load), the 21st (the bills fell due on the 20th), and every night from `daily_from` (the last DAILY_DAYS days,
    so the daily jobs' trends and the day-by-day work have every day), up to tonight."""
    end = min(_month(month, 1), today + timedelta(days=1))
    days = {month.replace(day=DUE_NIGHT)} | ({month} if not first else set())
    day = max(month + timedelta(days=1) if first else month, daily_from)
    while day < end:
        days.add(day)
        day += timedelta(days=1)
    return sorted(d for d in days if d <= today)


def _at(day: date, at: clock_time = clock_time(0)) -> datetime:
    """A moment of the replayed history: `day` at `at` in the operator's zone."""
    return datetime.combine(day, at, tzinfo=ZONE)


def _inbox_exists() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{INBOX_SCHEMA}.progress"])
        return cur.fetchone()[0]


def replay(*, months: int, today: date | None = None, log=print) -> dict:
    """Feed the inbox's last `months` months (ending with the current one) and run their nights."""
    if not _inbox_exists():
        raise NoInbox("No generated inputs to replay: run generate_province first.")
    today = today or timezone.localdate()
    started, totals = time.perf_counter(), {"items": 0, "refused": 0, "nights": 0}
    with connection.cursor() as cur:
        cur.execute(f"SELECT month FROM {INBOX_SCHEMA}.progress")
        done = {row[0] for row in cur.fetchall()}
    todo = months_to_replay(today, months)
    daily_from = today - timedelta(days=DAILY_DAYS)
    for month in todo:
        if month in done:
            continue
        t0 = time.perf_counter()
        end = min(_month(month, 1), today + timedelta(days=1))
        # the first month takes the earlier history along
        lo = _at(date(1900, 1, 1) if month == todo[0] else month)
        due_night = month.replace(day=DUE_NIGHT)
        for night in nights_of(month, today=today, daily_from=daily_from, first=month == todo[0]):
            lo = _feed(lo, _at(night, NIGHT_AT), today, totals)  # what billing sent before the night's 00:30 run
            _night(night, totals, daily_only=night not in (month, due_night))
        _feed(lo, _at(end), today, totals)
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {INBOX_SCHEMA}.progress (month, done_at) VALUES (%s, now())", [month])
        log(f"  {month:%Y-%m}: replayed in {time.perf_counter() - t0:.1f} s "
            f"({totals['items']:,} items, {totals['refused']:,} refused so far)")
    totals["seconds"] = time.perf_counter() - started
    log(f"replayed {len(todo)} months: {totals['items']:,} inputs through the intake ({totals['refused']:,} refused), "
        f"{totals['nights']} nights, in {totals['seconds']:.1f} s")
    log(f"  intake {totals.get('intake_s', 0):.1f} s; jobs: " + ", ".join(
        f"{name.rsplit('.', 1)[-1]} {seconds:.1f} s" for name, seconds in sorted(
            totals.get("jobs_s", {}).items(), key=lambda kv: -kv[1])))
    return totals


FED_TABLES = ("customers_usagesummary", "arrears_bill", "arrears_spcharge", "arrears_payment", "arrears_ledgerentry",
              "arrears_lineaccount", "customers_linestatuschange")


def _analyze() -> None:
    """Fresh planner statistics for the tables the month filled (a history arrives much faster than autovacuum
    notices; the nights' plans would be made for the empty tables)."""
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {', '.join(FED_TABLES)}")


def every_day(cron) -> bool:
    """A crontab that fires every day (the nightly jobs), not on some days only (monthly, half-yearly)."""
    return len(cron.day_of_month) == 31 and len(cron.month_of_year) == 12 and len(cron.day_of_week) == 7


def _night(day: date, totals: dict, *, daily_only: bool = False) -> None:
    """The scheduled jobs that fire on `day`, in their order, each with that date (as run_night runs them), then
    the interval jobs once. `daily_only`: the nights between the 1st and the 21st run the every-day jobs only (the
    monthly ones there, e.g. the churn training on the 2nd, 158 s of a 2,000-customer replay, stay out of it as they
    did when the replay ran two nights a month). The business clock (core.clock) reads the night's 00:30 meanwhile:
    what the jobs decide through it (e.g. credit ended by an arrears closure) is dated as the evaluation dates its own
    decisions."""
    from config.celery import app
    from core.management.commands.run_night import interval_jobs, night_jobs

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    jobs = totals.setdefault("jobs_s", {})
    try:
        with clock.as_of(_advance(totals, _at(day, NIGHT_AT))):
            app.loader.import_default_modules()
            for _, task in night_jobs(day):
                if daily_only and not every_day(task.crontab.schedule):
                    continue
                t0 = time.perf_counter()
                app.tasks[task.task](**{**json.loads(task.kwargs or "{}"), "day": day.isoformat()})
                jobs[task.task] = jobs.get(task.task, 0) + time.perf_counter() - t0
            for task in interval_jobs():  # the day's every-minute jobs (the SMS outbox, expiries), once
                t0 = time.perf_counter()
                app.tasks[task.task](**json.loads(task.kwargs or "{}"))
                jobs[task.task] = jobs.get(task.task, 0) + time.perf_counter() - t0
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved
    totals["nights"] += 1


def _rows(sql: str, params: list):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        while rows := cur.fetchmany(FEED_CHUNK):
            yield [dict(zip(names, row, strict=True)) for row in rows]


def _line(row: dict) -> SimpleNamespace:
    return SimpleNamespace(pk=row.pop("line_id"), customer_id=row.pop("customer_id"), msisdn=row.pop("msisdn", ""))


def _feed(lo: datetime, hi: datetime, today: date, totals: dict) -> datetime:
    """The inputs billing sends in [lo, hi) (moments: a night's window ends at its 00:30 run), through the bulk
    intake services in the order they arrived; returns hi (where the next feed starts). Each batch is decided at the
    moment its last input arrived in the replayed history (core.clock.as_of): last month's summaries and bills on the
    1st they come (BILLS_ARRIVE, after that night's run), each payment and status change at its own time
    (`_batches`: time order per line, one day per batch). The replayed clock only runs forward (`totals["clock"]`).
    After a window that carried summaries and bills the planner's statistics are refreshed."""
    from arrears import bulk  # arrears sits above customers: imported when used
    from arrears.models import Bill, Payment
    from customers import bulk as customers_bulk

    if hi <= lo:
        return lo
    window = [lo, hi]
    arrival = f"((%s + interval '1 month')::date + time '{BILLS_ARRIVE}') AT TIME ZONE '{settings.TIME_ZONE}'"
    usage_cols = ", ".join(f for f in _usage_fields())
    streams = [
        _stream(0, customers_bulk.usage_summaries_record_bulk, _rows(
            f"SELECT {arrival % 'month'} AS at, line_id, customer_id, month, {usage_cols} "
            f"FROM {inbox_table(UsageSummary)} WHERE {arrival % 'month'} >= %s AND {arrival % 'month'} < %s "
            "ORDER BY month, line_id", window)),
        _stream(1, bulk.bills_record_bulk, _with_sp(_rows(
            f"SELECT {arrival % 'b.period'} AS at, b.line_id, b.customer_id, b.period, b.amount, b.due_date, "
            f"       (SELECT json_object_agg(s.sp_id, s.amount) FROM {INBOX_SCHEMA}.arrears_spcharge s "
            "        WHERE s.line_id = b.line_id AND s.period = b.period) AS sp "
            f"FROM {inbox_table(Bill)} b WHERE {arrival % 'b.period'} >= %s AND {arrival % 'b.period'} < %s "
            "ORDER BY b.period, b.line_id", window))),
        _stream(2, bulk.payments_record_bulk, _rows(
            f"SELECT paid_at AS at, line_id, customer_id, amount, paid_at, channel, reference "
            f"FROM {inbox_table(Payment)} WHERE paid_at >= %s AND paid_at < %s ORDER BY paid_at, id", window)),
        _stream(3, customers_bulk.line_statuses_report_bulk, _rows(
            f"SELECT s.changed_at AS at, s.line_id, l.customer_id, l.msisdn, s.to_status AS status, s.changed_at, "
            f"       s.reason FROM {inbox_table(LineStatusChange)} s JOIN {Line._meta.db_table} l ON l.id = s.line_id "
            "WHERE s.changed_at >= %s AND s.changed_at < %s ORDER BY s.changed_at, s.id", window)),
    ]
    t0, monthly = time.perf_counter(), False
    for service, items, last in _batches(heapq.merge(*streams, key=lambda item: item[:2])):
        moment = _advance(totals, last)
        for item in items:
            item["line"] = _line(item)
        monthly = monthly or service in (customers_bulk.usage_summaries_record_bulk, bulk.bills_record_bulk)
        kwargs = {"today": timezone.localdate(moment)} if service is customers_bulk.usage_summaries_record_bulk else {}
        with clock.as_of(moment):
            outcome = service(items=items, partial=True, **kwargs)
        totals["items"] += len(items)
        totals["refused"] += len(outcome.errors)
    totals["intake_s"] = totals.get("intake_s", 0) + time.perf_counter() - t0
    if monthly:
        _analyze()
    return hi


def _advance(totals: dict, moment: datetime) -> datetime:
    """The replayed clock at `moment`, or just after where it already is if that is not earlier: it only runs
    forward, each batch at its own instant (as the wall clock gives each posting its own: the order of the events
    at one moment and the SMS keys stamped with it stay distinct)."""
    last = totals.get("clock")
    if last is not None and moment <= last:
        moment = last + timedelta(microseconds=1)
    totals["clock"] = moment
    return moment


def _stream(rank: int, service, batches):
    """(arrival moment, rank, service, row) of each row of `batches` (each row with its arrival `at`, in time order):
    one input stream for the merge; `rank` orders the inputs that arrive at one moment (summaries before bills)."""
    for rows in batches:
        for row in rows:
            yield row.pop("at"), rank, service, row


class _Open:
    """A batch being gathered: its rows, their lines, the first and last arrival."""

    def __init__(self, at: datetime):
        self.rows, self.lines, self.first, self.last = [], set(), at, at


def _batches(items, *, chunk: int = FEED_CHUNK):
    """(service, rows, last arrival) batches of the merged inputs (in arrival order) for the bulk services: one batch
    per kind gathered at a time, each within one local day and at most `chunk` rows. A line's inputs keep their
    order across kinds: an input for a line that a batch of another kind holds first sends every open batch (a
    payment after a closure on its line is answered "closed", as billing saw it), so batches stay few (a day's
    payments are not cut at every status change of other lines)."""
    open_: dict = {}
    day = None

    def flush():
        for service, batch in sorted(open_.items(), key=lambda kv: kv[1].first):
            yield service, batch.rows, batch.last
        open_.clear()

    for at, _rank, service, row in items:
        on, line = timezone.localdate(at), row["line_id"]
        if on != day or any(line in b.lines for s, b in open_.items() if s is not service):
            yield from flush()
            day = on
        batch = open_.get(service) or open_.setdefault(service, _Open(at))
        batch.rows.append(row)
        batch.lines.add(line)
        batch.last = at
        if len(batch.rows) >= chunk:
            yield service, batch.rows, batch.last
            del open_[service]
    yield from flush()


def _usage_fields():
    from customers.intake import USAGE_FIELDS

    return USAGE_FIELDS


def _with_sp(batches):
    from decimal import Decimal

    for items in batches:
        for item in items:
            sp = item.pop("sp")
            sp = json.loads(sp) if isinstance(sp, str) else (sp or {})
            item["sp_charges"] = {int(k): Decimal(str(v)) for k, v in sp.items()}
        yield items
