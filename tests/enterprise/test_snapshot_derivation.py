"""Enterprise snapshots derived by the product (issue 13): months of inputs come in through the intake services
(bills, usage, billing's status changes, development requests), the monthly `enterprise.snapshot` runs derive the
snapshots, the segmentation rules fire on them; and wiping every derived table and re-deriving gives the same."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from arrears.models import LineAccount
from arrears.services import bill_record
from arrears.sql import aging_refresh
from arrears.tasks import evaluate_nightly
from core.models import BatchRun
from customers.batches import refresh_status
from customers.intake import line_status_report, usage_summary_record
from customers.models import Customer, Line
from enterprise.batches import segment_in_process
from enterprise.models import EnterpriseAlert, EnterpriseSnapshot, SegmentTag
from enterprise.services import opportunity_create
from enterprise.snapshots import SNAPSHOT_KIND, snapshots_rederive
from enterprise.tasks import snapshot_monthly
from tests.enterprise.conftest import TODAY
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = [date(2026, m, 1) for m in range(6, 12)]  # June (m5) .. November (m0)
BILL = {6: "100.00", 7: "100.00", 8: "100.00", 9: "90.00", 10: "80.00", 11: "70.00"}  # falling from September
SNAPSHOT_FIELDS = ("account_id", "month", "revenue", "member_count", "competitor_lines", "members_left",
                   "returning_members", "products_held", "cancellations", "business_changes", "complaints",
                   "competitor_hotline_calls", "personalised_requests", "data_anomalies", "arrears_amount")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def usage(line, month, *, hotline=0, bill_amount):
    usage_summary_record(line=line, month=month, today=TODAY, figures={
        "voice_minutes": 300, "data_mb": 2048, "sms_count": 10, "competitor_hotline_calls": hotline,
        "plan_saturation": Decimal("80.00"), "broadband_bundled": False, "bill_amount": Decimal(bill_amount),
        "prepaid_balance": Decimal("0.00")})


@pytest.fixture
def province(ent):
    """A group of 10 member lines (headcount 20, a competitor present), six months of inputs."""
    account = ent.acc1
    account.headcount, account.competitors = 20, "联通"
    account.save()
    lines = [LineFactory(enterprise=account, activated_on=date(2025, 1, 10)) for _ in range(10)]
    for month in MONTHS:
        for line in lines:
            bill_record(line=line, period=month, amount=Decimal(BILL[month.month]),
                        due_date=(month + timedelta(days=50)).replace(day=20))
            hotline = 1 if month.month == 11 else 0  # calls to competitor hotlines: 10 in November, none before
            amount = "1.00" if (month.month == 11 and line is lines[0]) else BILL[month.month]  # one disagrees
            usage(line, month, hotline=hotline, bill_amount=amount)
    line_status_report(line=lines[-1], status="closed", changed_at=at(date(2026, 11, 15)), reason="cancelled")
    for n in range(2):  # the group asks for something of its own twice in November
        with freeze_time(at(date(2026, 11, 3 + n))):
            opportunity_create(by=ent.am1, kind="development_request", title=f"专线需求 {n}", account=account)
    for first in [date(2026, m, 1) for m in range(7, 13)]:  # the monthly job on each 1st, July .. December
        with freeze_time(at(first, 1)):
            snapshot_monthly(first.isoformat())
    ent.lines = lines
    return ent


def snapshot_rows():
    return list(EnterpriseSnapshot.objects.order_by("account_id", "month").values_list(*SNAPSHOT_FIELDS))


def test_the_monthly_job_derives_every_figure_from_the_inputs(province):
    runs = BatchRun.objects.filter(kind=SNAPSHOT_KIND).order_by("id").values_list("period", "status")
    assert list(runs) == [(f"2026-{m:02d}", "done") for m in range(6, 12)]
    november = EnterpriseSnapshot.objects.get(account=province.acc1, month=date(2026, 11, 1))
    assert november.member_count == 9 and november.members_left == 1 and november.cancellations == 1
    assert november.competitor_lines == 11  # headcount 20, 9 on our network, a competitor present
    assert november.revenue == Decimal("700.00")  # ten November bills of 70 (the closed line was billed too)
    assert november.competitor_hotline_calls == 10 and november.data_anomalies == 1
    assert november.personalised_requests == 2
    # owed at the end of November: bills due by then (June .. October, due 20 July .. 20 November) unpaid
    assert november.arrears_amount == 10 * Decimal("470.00")
    june = EnterpriseSnapshot.objects.get(account=province.acc1, month=date(2026, 6, 1))
    assert june.member_count == 10 and june.arrears_amount == 0 and june.revenue == Decimal("1000.00")


def test_segmentation_rules_fire_on_derived_snapshots(province):
    segment_in_process(TODAY)
    fired = set(SegmentTag.objects.filter(account=province.acc1, evaluated_on=TODAY).values_list("code", flat=True))
    assert {"competitor_customers", "members_leaving", "spend_falling", "competitor_hotline_rising",
            "personalised_rising", "data_anomaly", "frequent_arrears"} <= fired
    assert "high_value" not in fired and "stable" not in fired
    assert EnterpriseAlert.objects.filter(account=province.acc1, code="members_leaving").exists()


def test_wiping_the_derived_tables_and_re_deriving_gives_the_same(province):
    for day in (date(2026, 11, 29), date(2026, 11, 30)):  # two nights of the arrears evaluation over the lines
        with freeze_time(at(day, 0)):
            evaluate_nightly(day.isoformat())
    accounts = list(LineAccount.objects.order_by("pk").values_list("pk", "arrears_since"))
    statuses = list(Customer.objects.order_by("pk").values_list("pk", "status"))
    snaps = snapshot_rows()
    assert any(since for _, since in accounts) and len(snaps) == 6

    EnterpriseSnapshot.objects.all().delete()
    LineAccount.objects.update(arrears_since=None)
    Customer.objects.update(status="active")
    for month in MONTHS:
        snapshots_rederive(month)
    lines = Line.objects.order_by("pk").values_list("pk", flat=True)
    aging_refresh(lines[0], lines.last() + 1, date(2026, 11, 30))
    customers = Customer.objects.order_by("pk").values_list("pk", flat=True)
    refresh_status(customers[0], customers.last() + 1)

    assert snapshot_rows() == snaps
    assert list(LineAccount.objects.order_by("pk").values_list("pk", "arrears_since")) == accounts
    assert list(Customer.objects.order_by("pk").values_list("pk", "status")) == statuses


def test_complaints_are_the_care_systems_complaints_on_member_lines_in_the_month(province):
    """Care contacts come in through the intake; only complaints on member lines in the month count."""
    from customers.inputs import care_contact_record

    def contact(line, ref, kind, day):
        care_contact_record(line=line, reference=ref, kind=kind, channel="hotline", reason="信号差",
                            outcome="unresolved", contacted_at=at(day))

    contact(province.lines[0], "C-1", "complaint", date(2026, 11, 5))
    contact(province.lines[1], "C-2", "complaint", date(2026, 11, 28))
    contact(province.lines[1], "C-3", "service_call", date(2026, 11, 9))  # not a complaint
    contact(province.lines[2], "C-4", "complaint", date(2026, 10, 30))  # October's
    contact(LineFactory(), "C-5", "complaint", date(2026, 11, 6))  # not a member
    snapshots_rederive(date(2026, 11, 1))
    snapshots_rederive(date(2026, 10, 1))
    complaints = dict(EnterpriseSnapshot.objects.filter(account=province.acc1).values_list("month", "complaints"))
    assert complaints[date(2026, 11, 1)] == 2
    assert complaints[date(2026, 10, 1)] == 1
