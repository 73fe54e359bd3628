"""The collection queue as a worked list (issue 18 item 4): filtered by region, star, amount, age and number —
the page, the API and the export with one filterset — and the item page's previous/next following the same
filtered, sorted queue. Bills come in through the billing intake service, stars through the legacy-grade import,
and the night's evaluation (the scheduled task) puts the lines in arrears."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from arrears.services import bill_record
from arrears.tasks import evaluate_nightly
from core.masking import mask_msisdn
from credit.services import legacy_grade_import
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = date(2026, 11, 24)
QUEUE = reverse("arrears:collection")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def bill(line, *, due_days_ago: int, amount: str):
    due = NIGHT - timedelta(days=due_days_ago)
    with freeze_time(at(due - timedelta(days=20))):
        bill_record(line=line, period=due.replace(day=1), amount=Decimal(amount), due_date=due)


@pytest.fixture
def queue(org):
    """Four lines in arrears: region A (a 5-star and a 2-star customer), region B (an unrated and a 2-star one)."""
    (a5, a2), (b_unrated, b2) = org.book[org.am1.pk], org.book[org.am4.pk]
    with freeze_time(at(NIGHT - timedelta(days=300))):
        legacy_grade_import(customer=a5, grade="AAA")
        legacy_grade_import(customer=a2, grade="BBB")
        legacy_grade_import(customer=b2, grade="BBB")
    lines = {}
    for key, customer, msisdn, days, amount in (("A5", a5, "13900000001", 40, "800.00"),
                                                ("A2", a2, "13900000002", 100, "300.00"),
                                                ("B0", b_unrated, "13911110003", 10, "500.00"),
                                                ("B2", b2, "13911110004", 200, "1500.00")):
        lines[key] = LineFactory(customer=customer, msisdn=msisdn)
        bill(lines[key], due_days_ago=days, amount=amount)
    with freeze_time(at(NIGHT, 0)):
        evaluate_nightly(NIGHT.isoformat())
    org.lines = lines
    return org


def page(client, **params):
    with freeze_time(at(NIGHT)):
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return response


def numbers(response) -> list[str]:
    return [account.line.msisdn for account in response.context["object_list"]]


def test_the_night_puts_the_four_lines_in_the_queue_most_owed_first(client, queue):
    client.force_login(queue.collections)
    response = page(client)
    assert numbers(response) == ["13911110004", "13900000001", "13911110003", "13900000002"]
    rows = {a.line.msisdn: (a.owed, a.customer.credit_star, a.days_in_arrears)
            for a in response.context["object_list"]}
    assert rows["13911110004"][1:] == (2, 200) and rows["13911110003"][1] is None
    assert rows["13911110004"][0] >= Decimal("1500.00")  # the bill, and the late fees the night charged


CASES = [
    ({"region": "A"}, ["13900000001", "13900000002"]),
    ({"region": "B"}, ["13911110004", "13911110003"]),
    ({"star": ["2"]}, ["13911110004", "13900000002"]),
    ({"star": ["5", "unrated"]}, ["13900000001", "13911110003"]),
    ({"owed_min": "450"}, ["13911110004", "13900000001", "13911110003"]),
    ({"owed_max": "600"}, ["13911110003", "13900000002"]),
    ({"owed_min": "400", "owed_max": "900"}, ["13900000001", "13911110003"]),
    ({"days_min": "90"}, ["13911110004", "13900000002"]),
    ({"days_max": "50"}, ["13900000001", "13911110003"]),
    ({"number": "13911110003"}, ["13911110003"]),
    ({"number": "1391111"}, ["13911110004", "13911110003"]),
    ({"number": "139", "ordering": "number"}, ["13900000001", "13900000002", "13911110003", "13911110004"]),
    ({"ordering": "-days"}, ["13911110004", "13900000002", "13900000001", "13911110003"]),
]


def test_the_queue_filters_by_each_field_on_the_page_the_api_and_the_export(client, queue):
    client.force_login(queue.collections)
    api = APIClient()
    api.force_authenticate(queue.collections)
    for params, expected in CASES:
        if "region" in params:
            params = {**params, "region": (queue.region_a if params["region"] == "A" else queue.region_b).pk}
        assert numbers(page(client, **params)) == expected, params
        with freeze_time(at(NIGHT)):
            answer = api.get("/api/collection-queue/", params)
            export = client.get(reverse("arrears:collection-export"), params)
        assert answer.status_code == 200 and [row["msisdn"] for row in answer.json()["results"]] == expected, params
        rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()[1:]
        assert [row.split(",")[0] for row in rows] == [mask_msisdn(n) for n in expected], params


def test_the_queue_export_masks_the_mobile_numbers(client, queue):
    """Personal data masked as in every export: no full mobile number in the file, the masked one in its place."""
    client.force_login(queue.collections)
    with freeze_time(at(NIGHT)):
        export = client.get(reverse("arrears:collection-export"))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = [row.split(",") for row in text.splitlines()[1:]]
    numbers_on_page = numbers(page(client))
    assert len(rows) == len(numbers_on_page) >= 4
    for number in numbers_on_page:
        assert number not in text
    assert sorted(row[0] for row in rows) == sorted(f"{n[:3]}****{n[-4:]}" for n in numbers_on_page)


def test_an_age_bucket_is_a_days_range(client, queue):
    client.force_login(queue.collections)
    assert numbers(page(client, bucket="31-60")) == ["13900000001"]
    assert numbers(page(client, bucket=">180")) == ["13911110004"]


def test_a_bad_filter_is_a_form_error_on_the_page_and_a_400_naming_it_on_the_api(client, queue):
    client.force_login(queue.collections)
    api = APIClient()
    api.force_authenticate(queue.collections)
    for params, field in (({"number": "12"}, "number"), ({"owed_min": "-5"}, "owed_min"),
                          ({"days_max": "99999"}, "days_max"), ({"star": ["9"]}, "star")):
        response = page(client, **params)
        assert field in response.context["filterset"].form.errors
        answer = api.get("/api/collection-queue/", params)
        assert answer.status_code == 400 and [e["field"] for e in answer.json()["errors"]] == [field]


def test_the_queue_is_the_readers_scope_and_not_an_account_managers(client, queue):
    api = APIClient()
    api.force_authenticate(queue.am1)
    assert api.get("/api/collection-queue/").status_code == 403


def item(client, line, query: str = ""):
    with freeze_time(at(NIGHT)):
        response = client.get(reverse("arrears:collection-item", args=[line.pk]) + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return response


def test_previous_and_next_follow_the_filtered_sorted_queue(client, queue):
    client.force_login(queue.collections)
    lines = queue.lines
    plain = item(client, lines["A5"])  # most owed first: B2 1500, A5 800, B0 500, A2 300
    assert (plain.context["previous_pk"], plain.context["next_pk"]) == (lines["B2"].pk, lines["B0"].pk)
    query = f"region={queue.region_a.pk}&ordering=-days"  # region A, longest in arrears first: A2, A5
    filtered = item(client, lines["A5"], query)
    assert (filtered.context["previous_pk"], filtered.context["next_pk"]) == (lines["A2"].pk, None)
    html = filtered.content.decode()
    assert f'href="{reverse("arrears:collection-item", args=[lines["A2"].pk])}?{query.replace("&", "&amp;")}"' in html
    assert 'id="queue-next"' not in html
    first = item(client, lines["A2"], query)
    assert (first.context["previous_pk"], first.context["next_pk"]) == (None, lines["A5"].pk)
    # the queue page's rows carry the query to the item page
    listed = page(client, region=queue.region_a.pk, ordering="-days").content.decode()
    assert f'{reverse("arrears:collection-item", args=[lines["A2"].pk])}?region={queue.region_a.pk}' in listed


@pytest.mark.parametrize("ordering", ["number", "owed", "-days"])  # ascending, descending keys, and a tie-break
def test_walking_next_then_previous_visits_the_whole_filtered_queue_in_its_order(client, queue, ordering):
    client.force_login(queue.collections)
    query = f"owed_min=400&ordering={ordering}"
    expected = numbers(page(client, owed_min="400", ordering=ordering))
    assert sorted(expected) == ["13900000001", "13911110003", "13911110004"]
    by_number = {line.msisdn: line for line in queue.lines.values()}
    forward, pk = [], by_number[expected[0]].pk
    while pk:
        response = item(client, type(by_number[expected[0]]).objects.get(pk=pk), query)
        forward.append(response.context["account"].line.msisdn)
        pk = response.context["next_pk"]
    backward, pk = [], by_number[expected[-1]].pk
    while pk:
        response = item(client, type(by_number[expected[0]]).objects.get(pk=pk), query)
        backward.append(response.context["account"].line.msisdn)
        pk = response.context["previous_pk"]
    assert forward == expected and backward == expected[::-1]


def test_saving_a_promise_comes_back_to_the_item_with_the_queue_query(client, queue):
    client.force_login(queue.collections)
    query = f"region={queue.region_a.pk}&ordering=-days"
    url = reverse("arrears:collection-item", args=[queue.lines["A5"].pk]) + f"?{query}"
    with freeze_time(at(NIGHT)):
        response = client.post(url, {"status": "promised", "promised_on": NIGHT + timedelta(days=3),
                                     "promised_amount": "800.00"})
    assert response.status_code == 302 and response["Location"] == url
