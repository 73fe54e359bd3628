"""Four eyes (issue 12): an out-of-range limit is a pending request a second credit officer decides in their own
session; before the fix a typed approver name applied it at once."""

from decimal import Decimal

import pytest

from core.choices import Role
from credit.models import FourEyesRequest, Rating
from tests.conftest import make_staff
from tests.credit.test_governance import api_as, limits, rate
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db

LIMIT = "/api/customers/{}/credit-limit/"


@pytest.fixture
def pair(org):
    giver, receiver = org.book[org.am1.pk]
    LineFactory(customer=giver)
    return rate(giver, 5, "500.00"), rate(receiver, 4, "200.00")


@pytest.fixture
def second_officer(db):
    return make_staff(Role.CREDIT_OFFICER)


def test_a_typed_approver_name_applies_nothing(org, pair, second_officer):
    """Before the fix naming any officer applied 100000.00 at once; the named officer never acted."""
    giver, _ = pair
    response = api_as(org.credit_officer).post(LIMIT.format(giver.pk), {
        "amount": "100000.00", "reason": "大客户", "approver": second_officer.username}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "approver"
    assert limits(giver) == (Decimal("500.00"),) and not Rating.objects.exists()


@pytest.mark.parametrize("amount, code", [
    ("100000.00", "max_value"),  # beyond any credit amount the API takes (settings.MONEY_MAXIMUM)
    ("1000.01", "limit_ceiling"),  # a plausible amount, above the policy's ceiling (CREDIT_LIMIT_CEILING)
])
def test_an_absurd_limit_is_refused_even_with_four_eyes(org, pair, amount, code):
    giver, _ = pair
    response = api_as(org.credit_officer).post(LIMIT.format(giver.pk), {"amount": amount, "reason": "大客户"},
                                               format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("amount", code)
    assert limits(giver) == (Decimal("500.00"),) and not FourEyesRequest.objects.exists()


def test_an_out_of_range_limit_waits_for_a_second_officer_in_their_own_session(org, pair, second_officer):
    giver, _ = pair
    first = api_as(org.credit_officer)
    asked = first.post(LIMIT.format(giver.pk), {"amount": "600.00", "reason": "大客户"}, format="json")
    assert asked.status_code == 202
    request = asked.json()
    assert (request["status"], request["kind"], request["requested_by"]) == (
        "pending", "credit_limit", org.credit_officer.username)
    assert limits(giver) == (Decimal("500.00"),)  # nothing applies before the second officer acts

    own = first.post(f"/api/credit/four-eyes/{request['id']}/approve/", {"reason": "同意"}, format="json")
    assert own.status_code == 400 and own.json()["errors"][0]["code"] == "own_request"
    assert limits(giver) == (Decimal("500.00"),)

    second = api_as(second_officer)
    assert [r["id"] for r in second.get("/api/credit/four-eyes/").json()["results"]] == [request["id"]]
    approved = second.post(f"/api/credit/four-eyes/{request['id']}/approve/", {"reason": "核实"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert limits(giver) == (Decimal("600.00"),)
    rating = Rating.objects.get()
    assert (rating.decided_by, rating.approved_by, rating.new_limit) == (org.credit_officer, second_officer,
                                                                        Decimal("600.00"))
    again = second.post(f"/api/credit/four-eyes/{request['id']}/approve/", {}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "not_pending"


def ask_limit(officer, customer, amount="600.00", reason="大客户"):
    return api_as(officer).post(LIMIT.format(customer.pk), {"amount": amount, "reason": reason}, format="json")


def test_a_rejection_needs_a_reason_and_applies_nothing(org, pair, second_officer):
    giver, _ = pair
    request_id = ask_limit(org.credit_officer, giver).json()["id"]
    second = api_as(second_officer)
    no_reason = second.post(f"/api/credit/four-eyes/{request_id}/reject/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    rejected = second.post(f"/api/credit/four-eyes/{request_id}/reject/", {"reason": "缴费记录不足"}, format="json")
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["decided_by"], rejected.json()["decision_reason"]) == (
        "rejected", second_officer.username, "缴费记录不足")
    assert limits(giver) == (Decimal("500.00"),) and not Rating.objects.exists()
    assert second.get("/api/credit/four-eyes/").json()["results"] == []
    assert [r["id"] for r in second.get("/api/credit/four-eyes/", {"status": "rejected"}).json()["results"]] == [
        request_id]
    assert second.get("/api/credit/four-eyes/", {"status": "nonsense"}).status_code == 400


def test_only_credit_officers_see_and_decide_four_eyes_requests(org, pair):
    giver, _ = pair
    request_id = ask_limit(org.credit_officer, giver).json()["id"]
    for role in ("am1", "marketing", "collections", "regional_a", "billing_service"):
        api = api_as(getattr(org, role))
        assert api.get("/api/credit/four-eyes/").status_code == 403, role
        assert api.post(f"/api/credit/four-eyes/{request_id}/approve/", {}, format="json").status_code == 403, role
    assert limits(giver) == (Decimal("500.00"),)


def test_one_pending_request_per_customer(org, pair):
    giver, _ = pair
    assert ask_limit(org.credit_officer, giver).status_code == 202
    again = ask_limit(org.credit_officer, giver, amount="700.00")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "pending_exists"


def test_an_in_range_change_still_applies_at_once(org, pair):
    giver, _ = pair
    response = ask_limit(org.credit_officer, giver, amount="450.00")
    assert response.status_code == 201 and response.json()["new_limit"] == "450.00"
    assert limits(giver) == (Decimal("450.00"),) and Rating.objects.get().approved_by is None


def test_the_ceiling_is_a_setting(org, pair, settings):
    giver, _ = pair
    assert ask_limit(org.credit_officer, giver, amount="1000.00").status_code == 202  # the default ceiling
    settings.CREDIT_LIMIT_CEILING = "800"
    other = rate(org.book[org.am2.pk][0], 5, "500.00")
    refused = ask_limit(org.credit_officer, other, amount="800.01")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "limit_ceiling"
    assert "800" in refused.json()["errors"][0]["message"]


def test_approval_is_refused_when_the_star_changed_meanwhile(org, pair, second_officer):
    giver, _ = pair
    request_id = ask_limit(org.credit_officer, giver).json()["id"]
    rate(giver, 4, "200.00")  # e.g. the half-yearly run moved the customer down
    refused = api_as(second_officer).post(f"/api/credit/four-eyes/{request_id}/approve/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "star_changed"
    assert limits(giver) == (Decimal("200.00"),)
    from credit.models import FourEyesRequest

    assert FourEyesRequest.objects.get(pk=request_id).status == "pending"  # still to reject, or it expires


def test_stale_requests_expire_and_cannot_be_approved(org, pair, second_officer, settings):
    from datetime import timedelta

    from django.utils import timezone

    from credit.models import FourEyesRequest
    from credit.tasks import four_eyes_expire_hourly

    giver, receiver = pair
    old_id = ask_limit(org.credit_officer, giver).json()["id"]
    settings.CREDIT_FOUR_EYES_EXPIRY_DAYS = 3
    fresh_id = ask_limit(org.credit_officer, receiver, amount="350.00").json()["id"]
    old, fresh = FourEyesRequest.objects.get(pk=old_id), FourEyesRequest.objects.get(pk=fresh_id)
    assert old.expires_at - old.requested_at == timedelta(days=7)  # the default policy
    assert fresh.expires_at - fresh.requested_at == timedelta(days=3)
    FourEyesRequest.objects.filter(pk=old_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    late = api_as(second_officer).post(f"/api/credit/four-eyes/{old_id}/approve/", {}, format="json")
    assert late.status_code == 400 and late.json()["errors"][0]["code"] == "expired"
    assert four_eyes_expire_hourly.delay().get() == 1
    assert FourEyesRequest.objects.get(pk=old_id).status == "expired"
    assert FourEyesRequest.objects.get(pk=fresh_id).status == "pending"
    assert limits(giver) == (Decimal("500.00"),)


def test_the_expiry_is_scheduled_like_the_other_jobs():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="credit.tasks.four_eyes_expire_hourly")
    assert (task.interval.every, task.interval.period, task.crontab) == (3600, "seconds", None)


def test_the_second_officer_decides_on_the_page(client, org, pair, second_officer):
    from django.urls import reverse

    giver, _ = pair
    client.force_login(org.credit_officer)
    response = client.post(reverse("credit:limit-change", args=[giver.pk]), {"amount": "600", "reason": "大客户"})
    assert response.status_code == 302 and limits(giver) == (Decimal("500.00"),)
    detail = client.get(reverse("customers:detail", args=[giver.pk])).content.decode()
    assert 'id="four-eyes-pending"' in detail and 'name="approver"' not in detail
    from credit.models import FourEyesRequest

    request = FourEyesRequest.objects.get()
    own = client.get(reverse("credit:four-eyes")).content.decode()
    assert "600.00" in own and reverse("credit:four-eyes-approve", args=[request.pk]) not in own  # no buttons
    client.post(reverse("credit:four-eyes-approve", args=[request.pk]), {"reason": ""})
    assert limits(giver) == (Decimal("500.00"),)  # the requester's own approval changed nothing

    client.force_login(second_officer)
    assert client.get(reverse("dashboard")).context["four_eyes_pending"] == 1
    page = client.get(reverse("credit:four-eyes")).content.decode()
    assert reverse("credit:four-eyes-approve", args=[request.pk]) in page
    done = client.post(reverse("credit:four-eyes-approve", args=[request.pk]), {"reason": "核实"}, follow=True)
    assert done.status_code == 200 and limits(giver) == (Decimal("600.00"),)
    assert Rating.objects.get().approved_by == second_officer
    assert client.get(reverse("dashboard")).context["four_eyes_pending"] == 0


def test_the_request_and_its_decision_are_on_the_audit_page(client, org, pair, second_officer):
    from django.urls import reverse

    giver, _ = pair
    request_id = ask_limit(org.credit_officer, giver, reason="年度大客户").json()["id"]
    api_as(second_officer).post(f"/api/credit/four-eyes/{request_id}/reject/", {"reason": "缴费记录不足"},
                                format="json")
    client.force_login(org.admin)
    rows = client.get(reverse("audit"), {"model": "credit.foureyesrequest"}).context["changes"]
    assert [(r["change"], r["history_change_reason"]) for r in rows] == [("changed", "缴费记录不足"),
                                                                           ("created", "年度大客户")]
