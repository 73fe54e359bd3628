"""Every way a line is opened runs the onboarding controls (source 000, DOMAIN.md §3 and §4 "Services by star"):
ID verification, the blacklist with the amount owed, numbers per person by star, no line for a closed customer,
activation and join dates of today (a small correction window back, clock skew ahead), and one customer per
identity even when the same onboarding arrives twice at once."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers import policies, services
from customers.models import BlacklistEntry, Customer, Line, OnboardingCallback
from tests.factories import ChannelFactory, CustomerFactory, LineFactory, PlanFactory, resident_id

LINES, CUSTOMERS = "/api/lines/", "/api/customers/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def errors_of(response) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def open_line(api, customer, msisdn="13700001234", **extra):
    return api.post(LINES, {"customer": customer.pk, "msisdn": msisdn, "plan": PlanFactory().code, **extra},
                    format="json")


def give_lines(customer, n, *, status="active"):
    for _ in range(n):
        LineFactory(customer=customer, status=status)


@pytest.fixture
def payload(org):
    plan = PlanFactory()
    channel = ChannelFactory(region=org.region_a, code="outlet-cs-01")
    return {"name": "王小明", "id_number": resident_id(1, born="19880808"), "msisdn": "13912345678",
            "region": org.region_a.code, "brand": plan.brand.code, "plan": plan.code,
            "acquiring_channel": channel.code, "policy_explained": True}


# ---------------------------------------------------------------- policies (pure)


@pytest.mark.parametrize("star, limit", [(None, 5), (0, 5), (1, 5), (2, 5), (3, 20), (4, 20), (5, 20)])
def test_numbers_per_person_are_twenty_from_three_stars_and_five_otherwise(star, limit):
    assert policies.numbers_per_person(star) == limit


def test_activation_date_window_is_a_few_days_back_and_clock_skew_ahead():
    now = timezone.make_aware(timezone.datetime(2026, 12, 1, 12, 0))
    policies.check_activation_date(date(2026, 12, 1), now=now)
    policies.check_activation_date(date(2026, 11, 28), now=now)  # a 3-day correction
    for value, code in [(date(2026, 11, 27), "too_old"), (date(2000, 1, 1), "too_old"), (date(2026, 12, 2), "future")]:
        with pytest.raises(ValidationError) as err:
            policies.check_activation_date(value, now=now)
        assert err.value.code == code
    just_before_midnight = timezone.make_aware(timezone.datetime(2026, 12, 1, 23, 58))
    policies.check_activation_date(date(2026, 12, 2), now=just_before_midnight)  # the other clock is a bit ahead


# ---------------------------------------------------------------- POST /api/lines/


@pytest.mark.django_db
def test_a_line_for_a_closed_customer_is_refused(org):
    customer = org.book[org.am1.pk][0]
    Customer.objects.filter(pk=customer.pk).update(status="closed")
    response = open_line(api_as(org.am1), customer)
    assert response.status_code == 400 and ("customer", "closed") in errors_of(response)
    assert not Line.objects.filter(msisdn="13700001234").exists()


@pytest.mark.django_db
def test_a_line_for_a_blacklisted_person_is_refused_with_the_amount_owed(org):
    customer = org.book[org.am1.pk][0]
    BlacklistEntry.objects.create(id_number=customer.id_number, reason="欠费销户", amount_owed=Decimal("88.80"))
    response = open_line(api_as(org.am1), customer)
    assert response.status_code == 400 and ("customer", "blacklisted") in errors_of(response)
    assert "88.80" in str(response.json())
    assert not Line.objects.filter(msisdn="13700001234").exists()


@pytest.mark.django_db
def test_a_line_for_a_customer_whose_id_fails_verification_is_refused(org):
    customer = org.book[org.am1.pk][0]
    Customer.objects.filter(pk=customer.pk).update(id_number="430102199001011232")  # wrong check character
    response = open_line(api_as(org.am1), customer)
    assert response.status_code == 400 and ("customer", "checksum") in errors_of(response)


@pytest.mark.django_db
def test_a_zero_star_person_gets_five_numbers_counted_over_all_their_records(org):
    customer = org.book[org.am1.pk][0]
    Customer.objects.filter(pk=customer.pk).update(credit_star=0)
    give_lines(customer, 3)
    give_lines(customer, 2, status="closed")  # closed lines do not count
    other_record = CustomerFactory(id_type="passport", id_number=customer.id_number, region=org.region_a)
    give_lines(other_record, 2)  # the same person under another record
    api = api_as(org.am1)
    response = open_line(api, customer)
    assert response.status_code == 400 and ("customer", "numbers_per_person") in errors_of(response)
    assert "5" in response.json()["errors"][0]["message"]
    Line.objects.filter(customer=other_record).update(status="closed")
    assert open_line(api, customer).status_code == 201


@pytest.mark.django_db
def test_a_three_star_person_gets_twenty_numbers(org):
    customer = org.book[org.am1.pk][0]
    Customer.objects.filter(pk=customer.pk).update(credit_star=3)
    give_lines(customer, 19)
    api = api_as(org.am1)
    assert open_line(api, customer, "13700000020").status_code == 201
    response = open_line(api, customer, "13700000021")
    assert response.status_code == 400 and ("customer", "numbers_per_person") in errors_of(response)
    assert Line.objects.filter(customer=customer).count() == 20


@pytest.mark.django_db
@pytest.mark.parametrize("days, code", [(-9000, "too_old"), (-4, "too_old"), (1, "future"), (400, "future")])
def test_an_activation_date_far_from_today_is_refused(org, days, code):
    customer = org.book[org.am1.pk][0]
    activated = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = open_line(api_as(org.am1), customer, activated_on=activated)
    assert response.status_code == 400 and ("activated_on", code) in errors_of(response)
    assert not Line.objects.filter(msisdn="13700001234").exists()


@pytest.mark.django_db
def test_an_activation_date_is_today_by_default_and_may_be_corrected_a_few_days_back(org):
    customer = org.book[org.am1.pk][0]
    api = api_as(org.am1)
    assert open_line(api, customer, "13700000001").json()["activated_on"] == timezone.localdate().isoformat()
    corrected = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert open_line(api, customer, "13700000002", activated_on=corrected).status_code == 201


@pytest.mark.django_db
def test_a_line_cannot_be_renumbered_or_backdated_by_patch(org):
    line = LineFactory(customer=org.book[org.am1.pk][0])
    number = line.msisdn
    response = api_as(org.billing_service).patch(f"{LINES}{line.pk}/", {"activated_on": "2000-01-01",
                                                                        "msisdn": "13700009999"}, format="json")
    assert response.status_code == 200  # read-only there: a number change has its own action
    line.refresh_from_db()
    assert (line.activated_on, line.msisdn) == (date(2020, 1, 15), number)


# ---------------------------------------------------------------- onboarding: the same controls for the first line


@pytest.mark.django_db
def test_onboarding_refuses_a_person_who_holds_the_numbers_allowed_under_another_record(org, payload):
    other_record = CustomerFactory(id_type="passport", id_number=payload["id_number"], region=org.region_a)
    give_lines(other_record, 5)
    response = api_as(org.am1).post(CUSTOMERS, payload, format="json")
    assert response.status_code == 400 and ("id_number", "numbers_per_person") in errors_of(response)
    assert not Customer.objects.filter(name="王小明").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("join_date", ["2000-01-01", "2099-01-01", "yesterday"])
def test_onboarding_refuses_a_join_date_other_than_today(org, payload, join_date):
    if join_date == "yesterday":
        join_date = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api_as(org.am1).post(CUSTOMERS, {**payload, "join_date": join_date}, format="json")
    assert response.status_code == 400 and ("join_date", "not_today") in errors_of(response)
    assert "join" in response.json()["errors"][0]["message"].lower() or "入网" in response.json()["errors"][0][
        "message"]
    assert not Customer.objects.filter(name="王小明").exists()


@pytest.mark.django_db
def test_onboarding_with_todays_join_date_is_accepted(org, payload):
    response = api_as(org.am1).post(CUSTOMERS, {**payload, "join_date": timezone.localdate().isoformat()},
                                    format="json")
    assert response.status_code == 201 and response.json()["tenure_months"] == 0


def onboarding_data(org, payload) -> services.OnboardingData:
    from customers.models import Brand, Channel, Plan

    return services.OnboardingData(
        name=payload["name"], id_type="resident_id", id_number=payload["id_number"], region=org.region_a,
        brand=Brand.objects.get(code=payload["brand"]), plan=Plan.objects.get(code=payload["plan"]),
        msisdn=payload["msisdn"], acquiring_channel=Channel.objects.get(code=payload["acquiring_channel"]),
        policy_explained=True)


@pytest.mark.django_db
def test_a_migration_import_sets_the_original_join_date_and_the_history_says_who_and_why(org, payload):
    migration = services.MigrationImport(join_date=date(2015, 3, 1), reason="从旧 BOSS 系统迁移, 批次 7")
    customer = services.customer_onboard(data=onboarding_data(org, payload), by=org.admin, migration=migration)
    assert customer.join_date == date(2015, 3, 1)
    assert Line.objects.get(customer=customer).activated_on == date(2015, 3, 1)
    record = customer.history.get()
    assert record.history_user == org.admin
    assert "2015-03-01" in record.history_change_reason and "批次 7" in record.history_change_reason
    assert not OnboardingCallback.objects.filter(customer=customer).exists()  # identity was confirmed back then


@pytest.mark.django_db
def test_only_an_administrator_may_import_with_an_earlier_join_date(org, payload):
    migration = services.MigrationImport(join_date=date(2015, 3, 1), reason="迁移")
    with pytest.raises(ValidationError) as err:
        services.customer_onboard(data=onboarding_data(org, payload), by=org.am1, migration=migration)
    assert err.value.error_dict["join_date"][0].code == "migration_only"
    with pytest.raises(ValidationError) as err:
        services.customer_onboard(data=onboarding_data(org, payload), by=org.admin,
                                  migration=services.MigrationImport(join_date=date(2015, 3, 1), reason=" "))
    assert err.value.error_dict["migration_reason"][0].code == "required"
    assert not Customer.objects.filter(name="王小明").exists()


@pytest.mark.django_db
def test_the_import_command_onboards_migrated_customers_with_their_join_dates(org, payload, tmp_path):
    import json

    rows = tmp_path / "legacy.jsonl"
    rows.write_text(json.dumps({**payload, "join_date": "2012-06-30"}, ensure_ascii=False) + "\n", encoding="utf-8")
    call_command("import_customers", str(rows), "--by", org.admin.username, "--reason", "旧系统迁移")
    customer = Customer.objects.get(name="王小明")
    assert customer.join_date == date(2012, 6, 30)
    assert "旧系统迁移" in customer.history.get().history_change_reason


# ---------------------------------------------------------------- the same onboarding twice


@pytest.mark.django_db
def test_an_onboarding_replay_with_the_same_key_answers_the_first_response(org, payload):
    api = api_as(org.am1)
    first = api.post(CUSTOMERS, payload, format="json", HTTP_IDEMPOTENCY_KEY="onboard-1")
    replay = api.post(CUSTOMERS, payload, format="json", HTTP_IDEMPOTENCY_KEY="onboard-1")
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert Customer.objects.filter(name="王小明").count() == 1
    conflict = api.post(CUSTOMERS, {**payload, "name": "王二小"}, format="json", HTTP_IDEMPOTENCY_KEY="onboard-1")
    assert conflict.status_code == 409
    assert not Customer.objects.filter(name="王二小").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keyed", [False, True], ids=["without-key", "same-key"])
def test_the_same_onboarding_ten_times_at_once_opens_one_customer_and_never_a_500(live_server, org, payload, keyed):
    token = Token.objects.create(user=org.am1).key
    key = uuid.uuid4().hex

    def send(_):
        headers = {"Authorization": f"Token {token}", **({"Idempotency-Key": key} if keyed else {})}
        response = requests.post(f"{live_server.url}{CUSTOMERS}", json=payload, headers=headers, timeout=60)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(send, range(10)))
    statuses = sorted(status for status, _ in answers)
    assert Customer.objects.filter(id_number=payload["id_number"]).count() == 1
    assert Line.objects.filter(msisdn=payload["msisdn"]).count() == 1
    if keyed:
        assert statuses == [201] * 10 and all(body == answers[0][1] for _, body in answers)
    else:
        assert statuses == [201] + [400] * 9
        refused = [body for status, body in answers if status == 400]
        assert all(("id_number", "exists") in [(e["field"], e["code"]) for e in b["errors"]] for b in refused)
