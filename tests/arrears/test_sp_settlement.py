"""SP arrears for settlement (source 000): proportional share, small lines left out, self-consumption signs."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears import policies
from arrears.models import Bill, ServiceProvider, SpCharge
from arrears.settlement import sp_settlement
from customers.models import Channel
from tests.factories import LineFactory

PERIOD, TODAY = date(2026, 10, 1), date(2026, 11, 24)


def test_high_arrears_flag_fires_at_the_rate_and_not_below():
    common = {"revenue": Decimal("100"), "lines": 10, "captive_lines": 0, "top_agent_revenue": Decimal("10")}
    assert policies.sp_flags(arrears_share=Decimal("20.00"), **common) == [policies.SP_HIGH_ARREARS]
    assert policies.sp_flags(arrears_share=Decimal("19.99"), **common) == []


def test_captive_lines_and_one_agent_signs_and_the_priority_rule():
    base = {"revenue": Decimal("100"), "arrears_share": Decimal("0")}
    assert policies.sp_flags(lines=10, captive_lines=5, top_agent_revenue=Decimal("0"), **base) == ["captive_lines"]
    assert policies.sp_flags(lines=10, captive_lines=4, top_agent_revenue=Decimal("0"), **base) == []
    assert policies.sp_flags(lines=20, captive_lines=0, top_agent_revenue=Decimal("50"), **base) == ["one_agent"]
    assert policies.sp_flags(lines=19, captive_lines=0, top_agent_revenue=Decimal("90"), **base) == []  # too few
    assert policies.sp_focus(["high_arrears", "one_agent"]) and not policies.sp_focus(["high_arrears"])
    assert not policies.sp_focus(["captive_lines", "one_agent"])


def bill(line, amount, paid, charges, due=date(2026, 11, 10)):
    b = Bill.objects.create(line=line, customer=line.customer, period=PERIOD, amount=Decimal(amount),
                            paid_amount=Decimal(paid), due_date=due)
    for sp, charged in charges.items():
        SpCharge.objects.create(bill=b, sp=sp, period=PERIOD, amount=Decimal(charged))
    return b


@pytest.mark.django_db
def test_each_sp_gets_its_proportional_share_of_unpaid_bills_leaving_small_lines_out():
    games, music = ServiceProvider.objects.create(code="games", name="G"), ServiceProvider.objects.create(
        code="music", name="M")
    # 100 billed, 40 paid: 60 unpaid; games charged 50 of 100 -> 30.00, music 10 of 100 -> 6.00
    bill(LineFactory(), "100.00", "40.00", {games: "50.00", music: "10.00"})
    # 80 billed, 80 paid: nothing owed
    bill(LineFactory(), "80.00", "80.00", {games: "40.00"})
    # 20 billed, 12 paid: 8 owed < 10 minimum -> left out; games share would be 8 * 15/20 = 6.00
    bill(LineFactory(), "20.00", "12.00", {games: "15.00"})
    # not yet due on TODAY: not arrears
    bill(LineFactory(), "30.00", "0.00", {music: "30.00"}, due=date(2026, 11, 30))
    rows = {r.code: r for r in sp_settlement(period=PERIOD, today=TODAY)}
    assert rows["games"].deduction == Decimal("30.00") and rows["games"].left_out == Decimal("6.00")
    assert rows["games"].revenue == Decimal("105.00") and rows["games"].lines == 3
    assert rows["games"].lines_in_arrears == 1
    assert rows["music"].deduction == Decimal("6.00") and rows["music"].revenue == Decimal("40.00")
    assert rows["music"].captive_lines == 1  # the 30-of-30 bill
    # a lower minimum takes the small line in
    lower = {r.code: r for r in sp_settlement(period=PERIOD, today=TODAY, min_line_arrears=Decimal("5"))}
    assert lower["games"].deduction == Decimal("36.00") and lower["games"].left_out == Decimal("0.00")


@pytest.mark.django_db
def test_an_sp_living_off_one_agents_captive_unpaid_lines_is_marked_for_priority():
    rogue, honest = ServiceProvider.objects.create(code="rogue", name="R"), ServiceProvider.objects.create(
        code="honest", name="H")
    agent = Channel.objects.create(code="agent-x", name="Agent X", kind="agent",
                                   region=LineFactory().customer.region)
    for _ in range(20):
        line = LineFactory(customer__acquiring_channel=agent)
        bill(line, "50.00", "0.00", {rogue: "45.00"})
    for i in range(20):
        bill(LineFactory(), "100.00", "100.00" if i else "0.00", {honest: "5.00"})
    rows = {r.code: r for r in sp_settlement(period=PERIOD, today=TODAY)}
    assert rows["rogue"].flags == ("high_arrears", "captive_lines", "one_agent") and rows["rogue"].focus
    assert rows["rogue"].deduction == Decimal("900.00") and rows["rogue"].top_agent == "Agent X"
    assert rows["honest"].flags == () and not rows["honest"].focus
    assert rows["honest"].deduction == Decimal("5.00")


@pytest.mark.django_db
def test_bills_carry_sp_charges_through_the_billing_api_and_bad_ones_write_nothing(org):
    ServiceProvider.objects.create(code="games", name="G")
    line = LineFactory()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")

    def post(charges):
        return api.post("/api/billing/bills/", {"msisdn": line.msisdn, "period": "2026-10", "amount": "50.00",
                                                "due_date": "2026-11-10", "sp_charges": charges},
                        format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)

    for charges, message in (([{"sp": "nope", "amount": "5.00"}], "Unknown service provider"),
                             ([{"sp": "games", "amount": "50.01"}], "more than the bill"),
                             ([{"sp": "games", "amount": "1.00"}, {"sp": "games", "amount": "1.00"}], "once")):
        response = post(charges)
        assert response.status_code == 400 and message in str(response.json()), response.json()
        assert response.json()["errors"][0]["field"] == "sp_charges"
    assert not Bill.objects.exists()
    assert post([{"sp": "games", "amount": "12.50"}]).status_code == 201
    assert SpCharge.objects.get().amount == Decimal("12.50") and SpCharge.objects.get().period == PERIOD


@pytest.mark.django_db
def test_settlement_page_and_csv_for_credit_officers(client, org):
    sp = ServiceProvider.objects.create(code="games", name="游戏")
    bill(LineFactory(), "100.00", "40.00", {sp: "50.00"})
    client.force_login(org.credit_officer)
    page = client.get("/arrears/sp-settlement/", {"period": "2026-10", "min_amount": "10"})
    assert page.status_code == 200 and "30.00" in page.content.decode()
    csv = client.get("/arrears/sp-settlement/", {"period": "2026-10", "min_amount": "10", "export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "games,游戏,50.00,1,1,30.00" in b"".join(csv.streaming_content).decode()
    bad = client.get("/arrears/sp-settlement/", {"period": "October", "min_amount": "-1"})
    assert bad.status_code == 200 and bad.context["rows"] is None
    assert set(bad.context["form"].errors) == {"period", "min_amount"}
    client.force_login(org.am1)
    assert client.get("/arrears/sp-settlement/").status_code == 403


@pytest.mark.django_db
def test_the_export_link_of_the_default_page_downloads_the_csv(client, org):
    client.force_login(org.credit_officer)
    page = client.get("/arrears/sp-settlement/")
    link = page.context["csv_query"]
    assert "export=csv" in link and "period=" in link
    assert client.get(f"/arrears/sp-settlement/?{link}")["Content-Type"].startswith("text/csv")
