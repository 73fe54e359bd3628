from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from credit.models import ExtendedServiceRequest
from tests.factories import LineFactory, UsageSummaryFactory

pytestmark = pytest.mark.django_db


def token_auth(client, user):
    from rest_framework.authtoken.models import Token

    client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"


@pytest.fixture
def lines(org):
    mine = LineFactory(customer=org.book[org.am1.pk][0], msisdn="13811110001")
    theirs = LineFactory(customer=org.book[org.am4.pk][0], msisdn="13811110002")
    mine.customer.credit_star, mine.customer.credit_limit = 4, Decimal("200.00")
    mine.customer.save()
    UsageSummaryFactory(line=mine, month=date(2026, 9, 1), prepaid_balance=Decimal("5.00"))
    UsageSummaryFactory(line=mine, month=date(2026, 10, 1), prepaid_balance=Decimal("-30.00"))
    return mine, theirs


def test_credit_status_of_a_line(client, org, lines):
    token_auth(client, org.billing_service)  # a service account: token only, no session
    body = client.get("/api/credit-status/13811110001/").json()
    assert (body["star"], body["credit_limit"], body["balance"], body["usable_credit"]) == (
        4, "200.00", "-30.00", "170.00")
    assert body["entitlements"]["retention_days"] == 120


def test_credit_status_is_scoped_and_validated(client, org, lines):
    client.force_login(org.am1)
    assert client.get("/api/credit-status/13811110001/").status_code == 200
    assert client.get("/api/credit-status/13811110002/").status_code == 404
    bad = client.get("/api/credit-status/12345/")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "msisdn"


def test_bulk_credit_status(client, org, lines):
    client.force_login(org.am1)
    response = client.post("/api/credit-status/bulk/", {"msisdns": ["13811110001", "13811110002", "13999999999"]},
                           content_type="application/json")
    body = response.json()
    assert [r["msisdn"] for r in body["results"]] == ["13811110001"]
    assert body["not_found"] == ["13811110002", "13999999999"]


@pytest.mark.parametrize("payload, field", [({"msisdns": ["123"]}, "msisdns[0]"), ({"msisdns": []}, "msisdns"),
                                            ({}, "msisdns"), ({"msisdns": ["13811110001"] * 1001}, "msisdns")])
def test_bulk_bad_input_names_the_field(client, org, payload, field):
    token_auth(client, org.billing_service)  # a service account: token only, no session
    response = client.post("/api/credit-status/bulk/", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_360_explains_the_star_and_credit_officer_can_change_the_limit(client, org, lines):
    from core.tasks import dispatch_run
    from credit.batches import BASE_KIND

    customer = org.book[org.am1.pk][1]
    LineFactory(customer=customer)
    dispatch_run(BASE_KIND, "2026-11")
    client.force_login(org.am1)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'id="why-this-star"' in html and "网龄（月）" in html and "调整额度" not in html
    client.force_login(org.credit_officer)
    customer.refresh_from_db()
    if customer.credit_star:
        lo = {5: 300, 4: 200, 3: 50, 2: 20, 1: 10}[customer.credit_star]
        response = client.post(reverse("credit:limit-change", args=[customer.pk]),
                               {"amount": str(lo), "reason": "测试"})
        assert response.status_code == 302


def test_am_cannot_change_limits_or_publish(client, org, lines):
    client.force_login(org.am1)
    customer = org.book[org.am1.pk][0]
    assert client.post(reverse("credit:limit-change", args=[customer.pk]),
                       {"amount": "250", "reason": "x"}).status_code == 403
    from credit.selectors import scoring_model_published

    assert client.post(reverse("credit:model-copy", args=[scoring_model_published().pk])).status_code == 403


def test_credit_pages_render(client, org):
    from credit.selectors import scoring_model_published

    client.force_login(org.credit_officer)
    for url in (reverse("credit:models"), reverse("credit:model", args=[scoring_model_published().pk]),
                reverse("credit:report")):
        assert client.get(url).status_code == 200, url


def test_extended_request_api_reports_the_rule_and_respects_scope(client, org):
    giver = org.book[org.am1.pk][0]
    giver.credit_star, giver.credit_limit = 2, Decimal("20")
    giver.save()
    LineFactory(customer=org.book[org.am1.pk][1], msisdn="13955550000")
    client.force_login(org.am1)
    payload = {"service": "credit_sharing", "giver": giver.pk, "receiver_msisdn": "13955550000", "amount": "10",
               "channel": "app"}
    refused = client.post("/api/credit/extended-requests/", payload, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "min_star"
    assert refused.json()["errors"][0]["field"] == "giver"
    assert not ExtendedServiceRequest.objects.exists()  # a refusal writes nothing
    other = org.book[org.am4.pk][0]
    assert client.post("/api/credit/extended-requests/", {**payload, "giver": other.pk},
                       content_type="application/json").status_code == 404
    bad = client.post("/api/credit/extended-requests/", {**payload, "amount": "-5"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "amount"


def test_limit_change_api(client, org):
    customer = org.book[org.am1.pk][0]
    customer.credit_star, customer.credit_limit = 3, Decimal("50")
    customer.save()
    url = f"/api/customers/{customer.pk}/credit-limit/"
    client.force_login(org.am1)
    assert client.post(url, {"amount": "80", "reason": "x"}, content_type="application/json").status_code == 403
    client.force_login(org.credit_officer)
    ok = client.post(url, {"amount": "80", "reason": "按时缴费"}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["new_limit"] == "80.00"
    outside = client.post(url, {"amount": "150", "reason": "大客户"}, content_type="application/json")
    assert outside.status_code == 202 and outside.json()["status"] == "pending"  # waits for a second officer
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("80")


def test_legacy_grade_import_command_is_all_or_nothing(org, tmp_path):
    from django.core.management import CommandError, call_command

    a, b = org.book[org.am1.pk]
    good = tmp_path / "good.csv"
    good.write_text(f"customer_id,grade\n{a.pk},AA\n{b.pk},bb\n", encoding="utf-8")
    call_command("import_legacy_grades", str(good))
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.credit_star, b.credit_star) == (4, 1)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"customer_id,grade\n{a.pk},AAA\n{b.pk},DDD\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 3"):
        call_command("import_legacy_grades", str(bad))
    a.refresh_from_db()
    assert a.credit_star == 4  # the good first line was rolled back with the bad one


def test_number_change_api_keeps_credit(client, org):
    customer = org.book[org.am1.pk][0]
    customer.credit_star, customer.credit_limit = 4, Decimal("230")
    customer.save()
    line = LineFactory(customer=customer)
    client.force_login(org.am1)
    response = client.post(f"/api/lines/{line.pk}/change-number/", {"new_msisdn": "15800001234"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["msisdn"] == "15800001234"
    customer.refresh_from_db()
    assert (customer.credit_star, customer.credit_limit) == (4, Decimal("230"))
    bad = client.post(f"/api/lines/{line.pk}/change-number/", {"new_msisdn": "158"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "new_msisdn"
    other = LineFactory(customer=org.book[org.am4.pk][0])
    assert client.post(f"/api/lines/{other.pk}/change-number/", {"new_msisdn": "15800004321"},
                       content_type="application/json").status_code == 404
