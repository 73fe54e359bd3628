"""Money and dates from outside have sane bounds: every intake takes money only as an ASCII decimal string with
at most 2 places up to the operation's business maximum, dates neither in the future nor absurdly old (nor before
the customer joined), CNY only, no unknown fields; every refusal is a JSON 400 naming the field and the rule,
and nothing is written. No input gives a 5xx."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears.models import Bill, LedgerEntry, LineAccount, Payment, ServiceProvider
from customers.models import LineStatusChange, UsageSummary
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


def _month(back: int) -> str:
    today = timezone.localdate()
    y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
    return f"{y}-{m + 1:02d}"


def _moment(days_back: float) -> str:
    return (timezone.localtime() - timedelta(days=days_back)).isoformat()


@pytest.fixture
def line(db):
    line = LineFactory()
    line.customer.credit_star, line.customer.credit_limit = 3, Decimal("50.00")
    line.customer.save()
    ServiceProvider.objects.create(code="games", name="游戏")
    return line


def token_client(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def payment(line):
    return {"msisdn": line.msisdn, "amount": "30.00", "paid_at": _moment(1), "channel": "counter",
            "reference": uuid.uuid4().hex}


def bill(line):
    period = _month(1)
    return {"msisdn": line.msisdn, "period": period, "amount": "88.00", "due_date": f"{_month(0)}-20",
            "sp_charges": [{"sp": "games", "amount": "10.00"}]}


def usage(line):
    return {"msisdn": line.msisdn, "month": _month(1), "voice_minutes": 320, "data_mb": 5120, "sms_count": 12,
            "plan_saturation": "87.50", "bill_amount": "88.00", "prepaid_balance": "12.30"}


def line_status(line):
    return {"msisdn": line.msisdn, "status": "one_way_barred", "changed_at": _moment(0.1), "reason": "欠费"}


INTAKE = {"payment": ("/api/billing/payments/", payment), "bill": ("/api/billing/bills/", bill),
          "usage": ("/api/billing/usage/", usage), "line_status": ("/api/billing/line-status/", line_status)}
WRITTEN = {"payment": lambda: Payment.objects.count() + LedgerEntry.objects.count(), "bill": Bill.objects.count,
           "usage": UsageSummary.objects.count, "line_status": LineStatusChange.objects.count}

MONEY_REFUSALS = [
    ("9999999999.99", "max_value"), ("999999999.99", "max_value"), ("100000.01", "max_value"),
    ("1e2", "invalid"), ("１００", "invalid"), ("1,000.00", "invalid"), (" 10", "invalid"), ("NaN", "invalid"),
    ("Infinity", "invalid"), ("", "invalid"), ("10.005", "max_decimal_places"),
    (100.5, "not_a_string"), (100, "not_a_string"), (True, "not_a_string"), (None, "null"),
]
CASES = [
    *[("payment", "amount", value, code) for value, code in MONEY_REFUSALS],
    ("payment", "amount", "-5.00", "min_value"), ("payment", "amount", "0", "min_value"),
    ("payment", "paid_at", "2099-01-01T10:00:00+08:00", "future"),
    ("payment", "paid_at", "1900-01-01T10:00:00+08:00", "too_old"),
    ("payment", "currency", "USD", "currency"),
    ("payment", "ammount", "30.00", "unknown_field"),
    ("bill", "amount", "9999999999.99", "max_value"), ("bill", "amount", 88.0, "not_a_string"),
    ("bill", "period", "1900-01", "too_old"), ("bill", "period", "2099-01", "future"),
    ("bill", "period", "2026-1", "invalid"), ("bill", "period", "0000-01", "invalid"),
    ("bill", "period", "２０２６-１０", "invalid"),
    ("bill", "due_date", "9999-12-31", "too_late"), ("bill", "due_date", "1900-01-01", "before_period"),
    ("bill", "sp_charges", [{"sp": "games", "amount": "1e1"}], "invalid"),
    ("bill", "sp_charges", [{"sp": "games", "amount": "10.00", "share": "x"}], "unknown_field"),
    ("bill", "currency", "USD", "currency"),
    ("usage", "bill_amount", "9999999999.99", "max_value"),
    ("usage", "prepaid_balance", "-9999999999.99", "min_value"), ("usage", "prepaid_balance", -5.5, "not_a_string"),
    ("usage", "month", "1900-01", "too_old"), ("usage", "month", "9999-12", "future"),
    ("usage", "extra", 1, "unknown_field"),
    ("line_status", "changed_at", "2099-06-01T00:00:00+08:00", "future"),
    ("line_status", "changed_at", "1900-06-01T00:00:00+08:00", "too_old"),
]


def error_of(response, field):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    return next((e for e in errors if e["field"] == field or e["field"].endswith(f".{field}")
                 or e["field"].startswith(f"{field}[")), errors)


@pytest.mark.parametrize("operation, field, value, code", CASES, ids=lambda v: repr(v)[:30])
def test_billing_intake_refuses_by_field_and_rule_and_writes_nothing(org, line, operation, field, value, code):
    url, body = INTAKE[operation]
    before = WRITTEN[operation]()
    response = token_client(org.billing_service).post(url, {**body(line), field: value}, format="json",
                                                      HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    error = error_of(response, field)
    assert error.get("code") == code, error
    assert WRITTEN[operation]() == before


@pytest.mark.parametrize("operation", sorted(INTAKE))
def test_billing_intake_takes_a_valid_item(org, line, operation):
    url, body = INTAKE[operation]
    response = token_client(org.billing_service).post(url, {**body(line), **(
        {"currency": "CNY"} if operation in ("payment", "bill") else {})}, format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 201, response.json()


def test_a_payment_at_the_business_maximum_is_taken(org, line):
    response = token_client(org.billing_service).post(
        "/api/billing/payments/", {**payment(line), "amount": "100000.00"}, format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 201 and response.json()["balance"] == "100000.00"


def test_the_business_maximum_is_a_setting(org, line, settings):
    settings.MONEY_MAXIMUM = {**settings.MONEY_MAXIMUM, "payment": "500.00"}
    response = token_client(org.billing_service).post(
        "/api/billing/payments/", {**payment(line), "amount": "500.01"}, format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert error_of(response, "amount")["code"] == "max_value"


def test_a_balance_that_would_overflow_is_a_400_not_a_500(org, line):
    LineAccount.objects.create(line=line, customer=line.customer, balance=Decimal("9999999990.00"),
                               state_since=timezone.localdate())
    response = token_client(org.billing_service).post(
        "/api/billing/payments/", {**payment(line), "amount": "100.00"}, format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert error_of(response, "amount")["code"] == "balance_out_of_range"
    assert not Payment.objects.exists()


def test_a_payment_before_the_customer_joined_is_refused(org, line):
    line.customer.join_date = timezone.localdate() - timedelta(days=10)
    line.customer.save()
    response = token_client(org.billing_service).post(
        "/api/billing/payments/", {**payment(line), "paid_at": _moment(40)}, format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert error_of(response, "paid_at")["code"] == "before_joined"


def test_a_bulk_item_with_a_bad_amount_is_named_by_index(org, line):
    items = [payment(line), {**payment(line), "amount": 12.5}]
    response = token_client(org.billing_service).post(
        "/api/billing/payments/bulk/", {"items": items}, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert error_of(response, "items[1].amount")["code"] == "not_a_string"
    assert not Payment.objects.exists()


# ---------------------------------------------------------------- other operations taking money or dates

def test_an_extended_request_amount_is_money(org, line):
    api = token_client(org.admin)
    body = {"service": "balance_transfer", "giver": line.customer_id, "receiver_msisdn": line.msisdn,
            "channel": "app"}
    for value, code in (("1e2", "invalid"), (50.0, "not_a_string"), ("9999999999.99", "max_value")):
        response = api.post("/api/credit/extended-requests/", {**body, "amount": value}, format="json")
        assert error_of(response, "amount")["code"] == code
    assert error_of(api.post("/api/credit/extended-requests/", {**body, "amount": "10.00", "currency": "USD"},
                             format="json"), "currency")["code"] == "currency"


def test_a_credit_limit_change_amount_is_money(org, line):
    response = token_client(org.credit_officer).post(
        f"/api/customers/{line.customer_id}/credit-limit/", {"amount": "9999999999.99", "reason": "x"}, format="json")
    assert error_of(response, "amount")["code"] == "max_value"


def test_a_late_fee_waiver_amount_is_money(org, line):
    api = token_client(org.credit_officer)
    for value, code in (("１", "invalid"), (1.5, "not_a_string"), ("9999999999.99", "max_value")):
        response = api.post(f"/api/lines/{line.msisdn}/late-fee-waiver/", {"amount": value, "reason": "x"},
                            format="json")
        assert error_of(response, "amount")["code"] == code


def test_an_exemption_ends_within_a_year(org, line):
    response = token_client(org.credit_officer).post(f"/api/lines/{line.msisdn}/exemption/",
                                                     {"valid_until": "9999-12-31", "reason": "政府热线"}, format="json")
    assert error_of(response, "valid_until")["code"] == "too_late"


def test_a_retention_offer_cost_is_money(org):
    from retention.models import RetentionAlert

    customer = org.book[org.am1.pk][0]
    alert = RetentionAlert.objects.create(customer=customer, account_manager=org.am1, opened_at=timezone.now(),
                                          score=70, status="contacted")
    response = token_client(org.am1).post(f"/api/retention/alerts/{alert.pk}/transition/", {
        "to_status": "offer_made", "offer": "top_up_bonus", "offer_cost": 1e12}, format="json")
    assert error_of(response, "offer_cost")["code"] == "not_a_string"


def test_a_promise_to_pay_has_a_sane_amount_and_date(client, org, line):
    LineAccount.objects.create(line=line, customer=line.customer, balance=Decimal("-80.00"),
                               state_since=timezone.localdate(), arrears_since=timezone.localdate())
    client.force_login(org.collections)
    for amount, day, field in (("１００", f"{timezone.localdate()}", "promised_amount"),
                               ("1e2", f"{timezone.localdate()}", "promised_amount"),
                               ("9999999999.99", f"{timezone.localdate()}", "promised_amount"),
                               ("50.00", "9999-12-31", "promised_on")):
        response = client.post(f"/arrears/collection/{line.pk}/", {"status": "promised", "promised_amount": amount,
                                                                   "promised_on": day, "outcome": ""})
        assert response.status_code == 200 and field in response.context["form"].errors, (amount, day)


# ---------------------------------------------------------------- framework errors are JSON for the API, never 5xx

def test_an_api_500_is_json(org, monkeypatch):
    from django.test import Client

    from customers.api import views

    monkeypatch.setattr(views.CustomerViewSet, "list", lambda *a, **k: 1 / 0)
    client = Client(raise_request_exception=False)
    client.force_login(org.admin)
    response = client.get("/api/customers/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"


def test_too_many_form_fields_is_a_json_error(org):
    """The API reads JSON only (issue 20): a form body, however many fields, is a 415 in the one JSON shape."""
    api = token_client(org.billing_service)
    body = "&".join(f"f{i}=1" for i in range(1200))
    response = api.post("/api/billing/payments/", body, content_type="application/x-www-form-urlencoded",
                        HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 415 and response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_body_too_large_is_a_json_413(org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = token_client(org.billing_service).post(
        "/api/billing/payments/bulk/", {"items": [{"msisdn": "13800000000"}] * 1000}, format="json",
        HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 413 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/api/no-such-thing/", "/api/customers/99999999999999999999/",
                                  "/api/customers/abc/", "/api/marketing/campaigns/1e3/",
                                  "/api/customers/1/personal-data/x/"])
def test_a_malformed_or_unknown_api_address_is_a_json_404(org, path):
    response = token_client(org.admin).get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json", path


# ---------------------------------------------------------------- page forms with dates: a form error, not a 500

@pytest.fixture
def ent_account(org):
    from enterprise.models import EnterpriseAccount

    return EnterpriseAccount.objects.create(name="甲集团", industry="制造", region=org.region_a,
                                            account_manager=org.am1)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_service_day_far_out_is_a_form_error(client, org, ent_account, day):
    client.force_login(org.am1)
    response = client.post(f"/enterprise/accounts/{ent_account.pk}/service-days/new/",
                           {"requested_date": day, "policy": "宣传", "materials": "横幅"})
    assert response.status_code == 200 and "requested_date" in response.context["form"].errors


def test_a_task_due_far_out_is_a_form_error(client, org, ent_account):
    client.force_login(org.lead_a1)
    response = client.post(f"/enterprise/accounts/{ent_account.pk}/tasks/new/",
                           {"title": "回访", "due_date": "9999-12-31", "priority": 2})
    assert response.status_code == 200 and "due_date" in response.context["form"].errors


def test_the_audit_filter_far_out_is_a_form_error(client, org):
    client.force_login(org.admin)
    response = client.get("/audit/", {"since": "2026-01-01", "until": "9999-12-31"})
    assert response.status_code == 200 and "until" in response.context["form"].errors


def test_an_api_task_due_far_out_is_refused(org, ent_account):
    response = token_client(org.lead_a1).post("/api/enterprise/tasks/", {
        "account": ent_account.pk, "title": "回访", "due_date": "9999-12-31"}, format="json")
    assert error_of(response, "due_date")["code"] == "too_late"


def test_an_api_interaction_in_the_future_is_refused(org, ent_account):
    response = token_client(org.am1).post("/api/enterprise/interactions/", {
        "account": ent_account.pk, "kind": "call", "summary": "回访", "at": "2099-01-01T10:00:00+08:00"},
        format="json")
    assert error_of(response, "at")["code"] == "future"


# ---------------------------------------------------------------- the rules themselves and the schema

@pytest.mark.parametrize("text, amount", [("88", "88.00"), ("88.5", "88.50"), ("0.01", "0.01"),
                                          ("100000.00", "100000.00"), ("007.10", "7.10")])
def test_parse_money_takes_ascii_decimals(text, amount):
    from core.policies import parse_money

    assert parse_money(text, minimum=Decimal("0.01"), maximum=Decimal("100000")) == Decimal(amount)


def test_parse_money_refuses_an_endless_number_without_converting_it():
    from core.policies import Refusal, parse_money

    with pytest.raises(Refusal) as refused:
        parse_money("9" * 100_000, minimum=Decimal("0.01"), maximum=Decimal("100000"))
    assert refused.value.code == "max_value"


def test_the_schema_shows_money_as_a_string_with_its_pattern():
    from drf_spectacular.generators import SchemaGenerator

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    amount = schemas["PaymentInRequest"]["properties"]["amount"]
    assert amount["type"] == "string" and amount["pattern"] == r"^[0-9]{1,6}(\.[0-9]{1,2})?$"
    assert schemas["UsageInRequest"]["properties"]["prepaid_balance"]["pattern"].startswith("^-?[0-9]")
    assert schemas["BillInRequest"]["properties"]["period"]["pattern"] == r"^([0-9]{4})-(0[1-9]|1[0-2])$"


def test_a_partial_bulk_with_no_items_is_the_requests_400(org):
    response = token_client(org.billing_service).post("/api/billing/bills/bulk/", {"items": [], "partial": True},
                                                      format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert error_of(response, "items.__all__")["code"] == "empty"


def test_a_partial_bulk_reports_a_nested_error_by_its_field_path(org, line):
    bad = {**bill(line), "sp_charges": [{"sp": "games", "amount": "1e1"}]}
    response = token_client(org.billing_service).post(
        "/api/billing/bills/bulk/", {"items": [bad], "partial": True}, format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 200
    assert list(response.json()["errors"][0]["errors"]) == ["sp_charges[0].amount"]
