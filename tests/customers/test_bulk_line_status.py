"""Bulk line status is set-based with the single path's rules: billing's closure closes on billing's date with the
number kept for the star's retention period, the customer whose last line closed gets ONE customers_closed signal
for the batch, each closure is a decision event, a reactivation after the window is refused (nothing changes in
all-or-nothing mode), and the same batch posted item by item ends in the same place."""

import uuid
from datetime import date

import pytest
from freezegun import freeze_time

from customers.models import Customer, DecisionEvent, Line, LineStatusChange
from tests.customers import test_inputs_billing_closure as single_path
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db
billing, sent = single_path.billing, single_path.sent  # its fixtures: the billing client, the signals received
AT = "2026-11-20T16:00:00+08:00"


@pytest.fixture(autouse=True)
def today():
    with freeze_time("2026-11-24 10:00:00+08:00"):
        yield


def post(api, url, body):
    return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def _item(line, status, at=AT):
    return {"msisdn": line.msisdn, "status": status, "changed_at": at, "reason": "客户申请销户"}


def _signals(calls):
    return [(call["customer_ids"], call["on"]) for call in calls]


def _customer_with_two_lines():
    customer = CustomerFactory(join_date="2024-01-01")
    return [LineFactory(customer=customer), LineFactory(customer=customer)]


def _effects(lines):
    out = []
    for line in lines:
        line.refresh_from_db()
        out.append((line.status, line.closed_on, line.reopen_until, Customer.objects.get(pk=line.customer_id).status,
                    list(LineStatusChange.objects.filter(line=line).order_by("id").values_list(
                        "from_status", "to_status", "source", "changed_by__username")),
                    list(DecisionEvent.objects.filter(line=line).values_list("kind", "from_state", "to_state", "rule",
                                                                             "payload"))))
    return out


def test_a_customers_lines_closed_in_one_batch_send_one_signal_and_match_the_single_path(billing, sent):
    single, bulk = _customer_with_two_lines(), _customer_with_two_lines()
    for line in single:
        assert post(billing, "/api/billing/line-status/", _item(line, "closed")).status_code == 201
    assert _signals(sent["closed"]) == [([single[0].customer_id], date(2026, 11, 20))]
    response = post(billing, "/api/billing/line-status/bulk/", {"items": [_item(ln, "closed") for ln in bulk]})
    assert response.status_code == 201 and [r["changed"] for r in response.json()["results"]] == [True, True]
    assert _signals(sent["closed"])[1:] == [([bulk[0].customer_id], date(2026, 11, 20))]
    assert _effects(single) == _effects(bulk)
    assert bulk[0].closed_on == date(2026, 11, 20) and bulk[0].reopen_until == date(2027, 2, 18)
    again = post(billing, "/api/billing/line-status/bulk/", {"items": [_item(bulk[0], "active")]})
    assert again.status_code == 201 and _signals(sent["reopened"]) == [([bulk[0].customer_id],
                                                                             date(2026, 11, 20))]


def test_a_reactivation_after_the_window_is_refused_and_changes_nothing(billing):
    old, fresh = LineFactory(customer__join_date="2024-01-01"), LineFactory(customer__join_date="2024-01-01")
    assert post(billing, "/api/billing/line-status/bulk/", {"items": [
        _item(old, "closed", "2026-01-05T10:00:00+08:00")]}).status_code == 201
    response = post(billing, "/api/billing/line-status/bulk/", {"items": [_item(fresh, "one_way_barred"),
                                                                          _item(old, "active")]})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["items[1].status"]
    assert Line.objects.get(pk=fresh.pk).status == "active" and Line.objects.get(pk=old.pk).status == "closed"
    assert not LineStatusChange.objects.filter(line=fresh).exists()
    partial = post(billing, "/api/billing/line-status/bulk/", {"items": [_item(fresh, "one_way_barred"),
                                                                         _item(old, "active")], "partial": True})
    assert partial.status_code == 200 and partial.json()["posted"] == 1
    assert partial.json()["errors"][0]["index"] == 1 and Line.objects.get(pk=fresh.pk).status == "one_way_barred"
