"""Scope in workbench, lists, API and export; fixed query counts on the workbench and the account page."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.selectors import working_calendar
from enterprise import services
from enterprise.selectors import _month
from enterprise.models import Agreement, EnterpriseAlert, KeyPerson, ProductHolding, Task
from tests.enterprise.factories import AgreementFactory, SnapshotFactory, TaskFactory
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


def names_in(html: str, org) -> set[str]:
    return {a.name for a in (org.acc1, org.acc1b, org.acc2, org.acc3, org.acc4) if a.name in html}


def test_manager_sees_only_their_accounts_in_the_list(client, ent):
    client.force_login(ent.am1)
    assert names_in(client.get(reverse("enterprise:accounts")).content.decode(), ent) == {"甲集团", "乙集团"}
    client.force_login(ent.lead_a1)  # team A1: am1 and am2
    assert names_in(client.get(reverse("enterprise:accounts")).content.decode(), ent) == {"甲集团", "乙集团",
                                                                                          "丙集团"}
    client.force_login(ent.regional_a)
    assert names_in(client.get(reverse("enterprise:accounts")).content.decode(), ent) == {"甲集团", "乙集团",
                                                                                          "丙集团", "丁集团"}


def test_manager_sees_only_their_accounts_in_the_export(client, ent):
    client.force_login(ent.am1)
    response = client.get(reverse("enterprise:account-export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["id", "name"]
    assert {r[1] for r in rows[1:]} == {"甲集团", "乙集团"}
    # the same filters as the list
    response = client.get(reverse("enterprise:account-export"), {"q": "乙"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["乙集团"]


def test_manager_sees_only_their_accounts_in_the_api(ent):
    api = APIClient()
    api.force_authenticate(ent.am1)
    body = api.get("/api/enterprise/accounts/").json()
    assert {r["name"] for r in body["results"]} == {"甲集团", "乙集团"}
    assert api.get(f"/api/enterprise/accounts/{ent.acc4.pk}/").status_code == 404
    assert api.get(f"/api/enterprise/accounts/{ent.acc1.pk}/").status_code == 200
    mine, theirs = LineFactory(enterprise=ent.acc1), LineFactory(enterprise=ent.acc4)
    members = api.get("/api/enterprise/members/").json()["results"]
    assert [m["msisdn"] for m in members] == [mine.msisdn]
    assert api.get(f"/api/enterprise/members/{theirs.pk}/").status_code == 404
    task = TaskFactory(account=ent.acc4, assigned_to=ent.am4)
    assert api.get(f"/api/enterprise/tasks/{task.pk}/").status_code == 404
    assert api.get("/api/enterprise/tasks/").json()["results"] == []


def test_manager_sees_only_their_work_on_the_workbench(client, ent):
    today = timezone.localdate()
    TaskFactory(account=ent.acc1, assigned_to=ent.am1, title="今日任务甲", due_date=today)
    TaskFactory(account=ent.acc1, assigned_to=ent.am1, title="逾期任务甲", due_date=today - timedelta(days=3))
    TaskFactory(account=ent.acc4, assigned_to=ent.am4, title="别人的任务", due_date=today)
    AgreementFactory(account=ent.acc1, title="甲协议", expires_on=today + timedelta(days=30))
    AgreementFactory(account=ent.acc4, title="戊协议", expires_on=today + timedelta(days=30))
    AgreementFactory(account=ent.acc1b, title="远期协议", expires_on=today + timedelta(days=90))
    EnterpriseAlert.objects.create(account=ent.acc4, account_manager=ent.am4, code="high_value", segment="maintain",
                                   value=1, opened_on=today)
    client.force_login(ent.am1)
    response = client.get(reverse("enterprise:workbench"))
    html = response.content.decode()
    assert "今日任务甲" in html and "逾期任务甲" in html and "甲协议" in html
    assert "别人的任务" not in html and "戊协议" not in html and "远期协议" not in html and "戊集团" not in html
    assert [t.title for t in response.context["overdue_tasks"]] == ["逾期任务甲"]
    assert response.context["kpis"]["accounts"] == 2


def populate(org, start: int, n: int):
    """n tasks, interactions, agreements, alerts, members, snapshots and key people on am1's account."""
    today = timezone.localdate()
    for i in range(start, start + n):
        TaskFactory(account=org.acc1, assigned_to=org.am1, assigned_by=org.lead_a1, title=f"任务{i}",
                    due_date=today - timedelta(days=i % 3))
        services.interaction_log(account=org.acc1, by=org.am1, kind="call", summary=f"电话{i}")
        Agreement.objects.create(account=org.acc1, title=f"协议{i}", signed_on=today - timedelta(days=400),
                                 expires_on=today + timedelta(days=i))
        KeyPerson.objects.create(account=org.acc1, role="liaison", name=f"联系人{i}")
        LineFactory(enterprise=org.acc1, customer=org.book[org.am1.pk][0])
        EnterpriseAlert.objects.create(account=org.acc1, account_manager=org.am1, code=f"signal{i}",
                                       segment="retain", value=i, opened_on=today)
        SnapshotFactory(account=org.acc1, month=_month(today, i + 1), revenue=Decimal(1000 + i))
        services.service_day_submit(account=org.acc1, requested_date=today + timedelta(days=i % 20), policy="p",
                                    materials="m", by=org.am1)
    for product in ("group_vpn", "group_sms", "conference", "industry_app")[start // 5:(start + n) // 5]:
        ProductHolding.objects.create(account=org.acc1, product=product, since=today)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name, ceiling", [("enterprise:workbench", 25), ("enterprise:account", 30),
                                               ("enterprise:accounts", 15), ("enterprise:tasks", 15),
                                               ("enterprise:service-days", 15), ("enterprise:reports", 30)])
def test_pages_stay_within_a_fixed_number_of_queries(client, ent, url_name, ceiling):
    url = reverse(url_name, args=[ent.acc1.pk]) if url_name == "enterprise:account" else reverse(url_name)
    client.force_login(ent.am1)
    populate(ent, 0, 5)
    few = count_queries(client, url)
    populate(ent, 5, 15)
    many = count_queries(client, url)
    assert many == few
    assert many <= ceiling


def test_api_creates_tasks_and_interactions_in_scope_only(ent):
    api = APIClient()
    api.force_authenticate(ent.lead_a1)
    due = working_calendar().working_day_on_or_after(timezone.localdate()).isoformat()
    response = api.post("/api/enterprise/tasks/", {"account": ent.acc1.pk, "title": "走访", "due_date": due},
                        format="json")
    assert response.status_code == 201 and response.json()["assigned_to"] == ent.am1.username
    response = api.post("/api/enterprise/tasks/", {"account": ent.acc4.pk, "title": "x", "due_date": due},
                        format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "account"
    api.force_authenticate(ent.am1)
    assert api.post("/api/enterprise/tasks/", {"account": ent.acc1.pk, "title": "x", "due_date": due},
                    format="json").status_code == 403  # managers do not assign tasks
    response = api.post("/api/enterprise/interactions/", {"account": ent.acc1.pk, "kind": "call",
                                                          "summary": "电话回访", "next_step": "下周拜访"},
                        format="json")
    assert response.status_code == 201 and response.json()["by"] == ent.am1.username
    response = api.post("/api/enterprise/interactions/", {"account": ent.acc1.pk, "kind": "fax", "summary": "x"},
                        format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "kind"


def test_account_page_shows_the_computed_class_factors(client, ent):
    client.force_login(ent.am1)
    html = client.get(reverse("enterprise:account", args=[ent.acc1.pk])).content.decode()
    for factor in ("revenue", "members", "products", "loyalty", "credit"):
        assert f'data-factor="{factor}"' in html
    assert "10000.00" in html and "/ 35" in html  # the revenue factor's value and weight


def test_task_page_updates_status_with_outcome(client, ent):
    task = TaskFactory(account=ent.acc1, assigned_to=ent.am1)
    client.force_login(ent.am1)
    response = client.post(reverse("enterprise:task", args=[task.pk]), {"status": "done", "outcome": ""})
    assert response.status_code == 200 and "outcome" in response.content.decode()
    response = client.post(reverse("enterprise:task", args=[task.pk]), {"status": "done", "outcome": "已续约"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.completed_by == ent.am1


def test_api_task_assignee_must_see_the_account(ent):
    api = APIClient()
    api.force_authenticate(ent.lead_a1)
    due = working_calendar().working_day_on_or_after(timezone.localdate()).isoformat()
    response = api.post("/api/enterprise/tasks/", {"account": ent.acc1.pk, "title": "走访", "due_date": due,
                                                   "assigned_to": ent.am4.pk}, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("assigned_to", "out_of_scope")]
    assert not Task.objects.filter(account=ent.acc1).exists()
    response = api.post("/api/enterprise/tasks/", {"account": ent.acc1.pk, "title": "走访", "due_date": due,
                                                   "assigned_to": ent.lead_a1.pk}, format="json")
    assert response.status_code == 201 and response.json()["assigned_to"] == ent.lead_a1.username


def test_a_task_due_on_a_holiday_is_a_400_in_the_api_and_a_form_error_on_the_page(client, ent):
    api = APIClient()
    api.force_authenticate(ent.lead_a1)
    response = api.post("/api/enterprise/tasks/", {"account": ent.acc1.pk, "title": "走访", "due_date": "2026-10-01"},
                        format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("due_date", "not_working_day") and "2026-10-08" in error["message"]
    client.force_login(ent.lead_a1)
    response = client.post(reverse("enterprise:task-create", args=[ent.acc1.pk]),
                           {"title": "走访", "due_date": "2027-01-01", "priority": 2})
    assert response.status_code == 200 and "2027-01-04" in response.content.decode()  # New Year's Day → Monday
    assert not Task.objects.filter(account=ent.acc1).exists()
