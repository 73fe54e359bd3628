"""The bulk intake's plain-Python validation (customers.bulk_validate) answers what the item serializers answer:
the same validated values for every item DRF accepts, DRF's own errors (index, field, rule) for every item it
refuses — and through the API a bad item in a batch is a JSON 400 naming its index and field, nothing written."""

import uuid
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from freezegun import freeze_time
from django.core.validators import RegexValidator
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from arrears.api.serializers import (BillInSerializer, LineStatusInSerializer, LineStatusResultSerializer,
                                     PaymentInSerializer, PostingResultSerializer, UsageInSerializer,
                                     UsageResultSerializer)
from arrears.models import LedgerEntry, Payment
from customers.api.onboarding import OnboardingItemSerializer
from customers.bulk_types import array_literal
from customers.bulk_validate import bulk_items_validate, representer
from customers.models import Customer, UsageSummary
from customers.policies import id_check_char
from tests.factories import LineFactory


def _payments(now):
    good = {"msisdn": "13800000001", "amount": "30.00", "paid_at": now.isoformat(), "channel": "counter",
            "reference": "r-1"}
    return [
        good,
        {**good, "currency": "CNY"},
        {**good, "amount": "30"},  # fewer places: the same amount
        {**good, "amount": 30},  # a JSON number: refused (money is text)
        {**good, "amount": "-1.00"},
        {**good, "amount": "1.234"},
        {**good, "amount": ""},
        {**good, "amount": None},
        {**good, "amount": "９９.00"},  # full-width digits
        {**good, "currency": "USD"},
        {**good, "ammount": "1.00"},  # unknown field
        {k: v for k, v in good.items() if k != "reference"},
        {**good, "reference": "  padded  "},  # trimmed, as DRF trims
        {**good, "reference": "   "},
        {**good, "reference": "x" * 65},
        {**good, "reference": "nul\x00"},
        {**good, "channel": 7},  # a number where text is due: DRF takes it as "7"
        {**good, "msisdn": "23800000001"},
        {**good, "msisdn": "1380000000"},
        {**good, "msisdn": " 13800000001 "},
        {**good, "paid_at": "2026-11-24 10:00"},  # no offset: the field's time zone
        {**good, "paid_at": "not a time"},
        {**good, "paid_at": (now + timedelta(days=2)).isoformat()},
        {**good, "paid_at": (now - timedelta(days=4000)).isoformat()},
        {**good, "paid_at": "2026-02-30T10:00:00+08:00"},
        "not an object",
        None,
        [],
    ]


def _bills(today):
    month = today.replace(day=1)
    good = {"msisdn": "13800000001", "period": f"{month:%Y-%m}", "amount": "58.00",
            "due_date": f"{month + timedelta(days=20):%Y-%m-%d}"}
    return [
        good,
        {**good, "amount": "0.00"},
        {**good, "period": f"{month:%Y-%m}-01"},
        {**good, "period": f"{month + timedelta(days=40):%Y-%m}"},  # ahead of this month
        {**good, "due_date": f"{month - timedelta(days=1):%Y-%m-%d}"},  # before the billed month
        {**good, "due_date": f"{month + timedelta(days=200):%Y-%m-%d}"},  # too late
        {**good, "due_date": "2026-13-01"},
        {**good, "costs": {"interconnect": "1.00"}},
        {**good, "costs": {"interconnect": "-1.00"}},
        {**good, "sp_charges": []},
        {**good, "sp_charges": [{"sp": "nope", "amount": "1.00"}]},  # an unknown provider (a query, DRF's word)
        {**good, "sp_charges": "none"},
    ]


def _usage(today):
    good = {"msisdn": "13800000001", "month": f"{today:%Y-%m}", "voice_minutes": 300, "data_mb": 4096,
            "sms_count": 9, "competitor_hotline_calls": 0, "plan_saturation": "71.00", "broadband_bundled": False,
            "bill_amount": "58.00", "prepaid_balance": "-12.00"}
    return [
        good,
        {k: v for k, v in good.items() if k not in {"competitor_hotline_calls", "broadband_bundled"}},
        {**good, "voice_minutes": "300"},  # DRF takes a numeric string
        {**good, "voice_minutes": -1},
        {**good, "voice_minutes": 2_000_001},
        {**good, "voice_minutes": True},
        {**good, "voice_minutes": 3.5},
        {**good, "plan_saturation": 71},
        {**good, "plan_saturation": "71.005"},
        {**good, "plan_saturation": "-1"},
        {**good, "broadband_bundled": "true"},  # DRF takes "true"
        {**good, "broadband_bundled": "maybe"},
        {**good, "bill_amount": "-1.00"},
    ]


def _statuses(now):
    good = {"msisdn": "13800000001", "status": "one_way_barred", "changed_at": now.isoformat(),
            "reason": "network barring"}
    return [good, {**good, "status": "asleep"}, {**good, "status": ""}, {**good, "reason": ""},
            {**good, "reason": "r" * 201}]


def _people(today):
    first17 = "43019919900101001"
    good = {"name": "张三", "id_number": first17 + id_check_char(first17), "msisdn": "13800000001",
            "region": "r1", "brand": "b1", "plan": "p1", "acquiring_channel": "c1", "policy_explained": True}
    return [
        good,
        {**good, "gender": ""},
        {**good, "gender": "female"},
        {**good, "gender": "x"},
        {**good, "id_type": "passport"},
        {**good, "join_date": None},
        {**good, "join_date": f"{today:%Y-%m-%d}"},
        {**good, "join_date": "yesterday"},
        {**good, "related_contacts": [{"name": "李四", "relation": "spouse", "msisdn": "13900000002"}]},
        {**good, "related_contacts": [{"name": "李四", "relation": "spouse", "msisdn": "2"}]},
        {**good, "more_lines": [{"msisdn": "13800000003", "plan": "p2"}]},
        {**good, "more_lines": [{"msisdn": "13800000003"}]},
        {**good, "plan": "not a slug!"},
        {**good, "policy_explained": None},
        {**good, "name": "n" * 51},
    ]


def _cases():
    now = timezone.now()
    today = timezone.localdate()
    return [(PaymentInSerializer, _payments(now)), (BillInSerializer, _bills(today)),
            (UsageInSerializer, _usage(today)), (LineStatusInSerializer, _statuses(now)),
            (OnboardingItemSerializer, _people(today))]


@pytest.mark.django_db
@pytest.mark.parametrize("position", range(5), ids=["payments", "bills", "usage", "line-status", "onboarding"])
def test_every_item_gets_the_serializers_answer(position):
    item_class, raw = _cases()[position]
    # one frozen moment for both judges: a "time in the future" refusal names the clock to the second, and the two
    # validations must not read it on either side of a second's boundary
    with freeze_time(timezone.now()):
        good, errors = bulk_items_validate(item_class, raw)
        expected_good, expected_errors = [], {}
        for index, item in enumerate(raw):  # one item as the list serializer judges it: its child's run_validation
            try:
                expected_good.append((index, dict(item_class().run_validation(item))))
            except ValidationError as exc:
                expected_errors[index] = exc.detail
        whole = item_class(many=True, data=raw)
        whole_valid = whole.is_valid()
    assert [(i, dict(d)) for i, d in good] == expected_good
    assert errors == expected_errors
    # the codes too (ErrorDetail compares its text only with a plain string)
    assert {i: {f: [getattr(m, "code", None) for m in ms] for f, ms in e.items()} for i, e in errors.items()
            if isinstance(e, dict)} == {i: {f: [getattr(m, "code", None) for m in ms] for f, ms in e.items()}
                                        for i, e in expected_errors.items() if isinstance(e, dict)}
    # and it is the list serializer's answer for the whole batch
    if whole_valid:
        assert not errors
    else:
        assert dict(whole.errors) == errors
    assert expected_good and expected_errors or position == 3  # each case has both kinds of item


def test_results_are_written_as_the_result_serializers_write_them():
    line = SimpleNamespace(msisdn="13800000001")
    postings = [SimpleNamespace(line=line, balance=Decimal("-12.50"), usable_credit=Decimal("7.5"),
                                state="one_way_barred", restored=False, rule="usable_below_zero", applied=True,
                                credit_limit=Decimal("20.00")),
                SimpleNamespace(line=line, balance=Decimal("0"), usable_credit=Decimal("20.005"), state="active",
                                restored=True, rule="", applied=False, credit_limit=Decimal("1E+1"))]
    usage = [SimpleNamespace(line=line, month=timezone.localdate().replace(day=1), created=True,
                             usable_credit=Decimal("3.10"), state="active", rule="", applied=True)]
    statuses = [SimpleNamespace(line=line, status="closed", changed=False)]
    for shape, results in ((PostingResultSerializer, postings), (UsageResultSerializer, usage),
                           (LineStatusResultSerializer, statuses)):
        represent = representer(shape)
        assert [represent(r) for r in results] == shape(results, many=True).data


# ------------------------------------------------------------------------------------------------ through the API

@pytest.fixture
def billing(org):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return api


@pytest.mark.django_db
def test_a_bad_item_in_a_batch_is_a_400_naming_index_and_field_and_nothing_is_written(billing):
    lines = [LineFactory() for _ in range(4)]
    now = timezone.now()
    items = [{"msisdn": ln.msisdn, "amount": "10.00", "paid_at": now.isoformat(), "channel": "bank",
              "reference": uuid.uuid4().hex} for ln in lines]
    items[1]["amount"] = 10  # a number: money is text
    items[3]["refrence"] = "typo"  # an unknown field
    items[2]["channel"] = 5  # DRF takes it ("5"): the item is good
    key = uuid.uuid4().hex
    response = billing.post("/api/billing/payments/bulk/", {"items": items}, format="json",
                            HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("items[1].amount", "not_a_string"),
                                                         ("items[3].refrence", "unknown_field")]
    assert not Payment.objects.exists() and not LedgerEntry.objects.exists()
    # the key stays free: the corrected file goes through under it, the good values as DRF reads them
    items[1]["amount"] = "10.00"
    del items[3]["refrence"]
    response = billing.post("/api/billing/payments/bulk/", {"items": items}, format="json",
                            HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 201 and response.json()["posted"] == 4
    assert Payment.objects.get(reference=items[2]["reference"]).channel == "5"


@pytest.mark.django_db
def test_a_bad_usage_item_with_partial_is_reported_and_the_rest_written(billing):
    lines = [LineFactory() for _ in range(3)]
    month = f"{timezone.localdate():%Y-%m}"
    items = [{"msisdn": ln.msisdn, "month": month, "voice_minutes": 300, "data_mb": 4096, "sms_count": 9,
              "plan_saturation": "71.00", "bill_amount": "58.00", "prepaid_balance": "12.00"} for ln in lines]
    items[0]["voice_minutes"] = "300"  # taken by DRF's reading
    items[1]["plan_saturation"] = "71.005"
    response = billing.post("/api/billing/usage/bulk/", {"items": items, "partial": True}, format="json",
                            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    body = response.json()
    assert response.status_code == 200 and body["posted"] == 2 and body["failed"] == 1
    assert [(e["index"], list(e["errors"])) for e in body["errors"]] == [(1, ["plan_saturation"])]
    assert sorted(UsageSummary.objects.values_list("line_id", "voice_minutes")) == [(lines[0].pk, 300),
                                                                                  (lines[2].pk, 300)]


@pytest.mark.django_db
def test_a_bad_onboarding_item_is_a_400_naming_it_and_nobody_is_onboarded(org):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    before = Customer.objects.count()
    line = LineFactory()
    base = {"name": "王五", "msisdn": "19900000001", "region": line.customer.region.code,
            "brand": line.plan.brand.code, "plan": line.plan.code, "policy_explained": True,
            "acquiring_channel": "none"}
    first17 = "43019919900101002"
    items = [{**base, "id_number": first17 + id_check_char(first17)},
             {**base, "id_number": "x", "msisdn": "19900000002", "gender": "unknown"}]
    response = api.post("/api/customers/bulk/", {"items": items}, format="json",
                        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 400
    assert ("items[1].gender", "invalid_choice") in [(e["field"], e["code"]) for e in response.json()["errors"]]
    assert Customer.objects.count() == before + 1  # only the factory's customer


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "kind"), [
    ([1, 2, None], "bigint"), ([Decimal("1.50"), None, Decimal("-2"), Decimal("1E+1")], "numeric"),
    (['a"b', "c\\d", "", None, "x,y {z}", "中文", " pad ", "NULL"], "text"),
    ([timezone.localdate(), None], "date"), ([timezone.now(), None], "timestamptz"), ([True, False, None], "bool"),
    ([], "bigint"), ([1, "a", None], "text")])
def test_array_text_is_read_back_as_the_array_psycopg_would_send(values, kind):
    """The bulk statements' list parameters go as array text (customers.bulk_types.pg_arrays): the column type
    reads back exactly the list psycopg itself would have sent, quotes, backslashes, NULLs and the word NULL too."""
    plain = [str(v) if kind == "text" and v is not None else v for v in values]
    with connection.cursor() as cur:
        cur.execute(f"SELECT %s::{kind}[] IS NOT DISTINCT FROM %s::{kind}[], "
                    f"array_length(%s::{kind}[], 1) IS NOT DISTINCT FROM %s", [
                        array_literal(values), plain, array_literal(values), len(values) or None])
        assert cur.fetchone() == (True, True)


def test_the_plan_takes_a_plainly_valid_item_itself_and_hands_the_rest_to_drf():
    """The plan (each field's converter and its validators as predicates) converts a plainly valid item
    without DRF, and hands an item any of those checks refuses (a regex, an inverse regex, a length, a bound,
    a NUL, a surrogate) to the serializer: an answer equal to DRF's on both paths is not enough to show the fast
    path is the one taken."""
    from rest_framework import serializers

    from customers import bulk_validate

    class Item(serializers.Serializer):
        code = serializers.RegexField(r"^[a-z]+$", max_length=5)
        other = serializers.CharField(validators=[RegexValidator(r"x", inverse_match=True)], min_length=2)
        count = serializers.IntegerField(min_value=1, max_value=9)

    plan = bulk_validate._plan_of(Item())()
    assert plan({"code": "abc", "other": "ab", "count": 3}) == {"code": "abc", "other": "ab", "count": 3}
    for bad in ({"code": "ab1"}, {"code": "abcdef"}, {"other": "axb"}, {"other": "a"}, {"count": 0},
                {"count": 10}, {"code": "a\x00b"}, {"other": "a\ud800"}):
        with pytest.raises(bulk_validate._Slow):
            plan({"code": "abc", "other": "ab", "count": 3, **bad})
    now = timezone.now()
    item = {"msisdn": "13800000001", "amount": "30.00", "paid_at": now.isoformat(), "channel": "counter",
            "reference": "r-1"}
    assert bulk_validate._plan_of_class(PaymentInSerializer)()(item)["amount"] == Decimal("30.00")
    with pytest.raises(bulk_validate._Slow):
        bulk_validate._plan_of_class(PaymentInSerializer)()({**item, "msisdn": "23800000001"})
