"""Reassignment keeps every record; service-day orders, collection and visit logs (003)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import CalendarDay
from core.selectors import working_calendar
from enterprise import services
from enterprise.models import AssignmentChange, Opportunity, ServiceDayOrder
from enterprise.selectors import interaction_list, task_list
from tests.enterprise.conftest import TODAY

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SH)


def test_reassignment_keeps_tasks_interactions_and_history_for_both_managers(client, ent):
    account = ent.acc1
    done = services.task_create(account=account, title="签约回访", due_date=TODAY, assigned_by=ent.lead_a1)
    services.task_update(task=done, by=ent.am1, status="done", outcome="客户已续签")
    open_task = services.task_create(account=account, title="走访决策人", due_date=TODAY, assigned_by=ent.lead_a1)
    visit = services.interaction_log(account=account, by=ent.am1, kind="visit", summary="拜访联系人",
                                     at=at(TODAY))

    change = services.account_reassign(account=account, to_manager=ent.am2, by=ent.lead_a1, reason="客户经理调岗")

    assert (change.from_manager, change.to_manager, change.by, change.reason) == (ent.am1, ent.am2, ent.lead_a1,
                                                                                  "客户经理调岗")
    assert change.open_tasks_moved == 1
    # the new manager sees every task and interaction of the account
    assert set(task_list(user=ent.am2).filter(account=account)) == {done, open_task}
    assert list(interaction_list(user=ent.am2).filter(account=account)) == [visit]
    # the old manager's past work stays recorded under their name
    done.refresh_from_db()
    open_task.refresh_from_db()
    visit.refresh_from_db()
    assert (done.assigned_to, done.completed_by) == (ent.am1, ent.am1)
    assert open_task.assigned_to == ent.am2
    assert open_task.history.earliest().assigned_to_id == ent.am1.pk  # who had it before
    assert visit.by == ent.am1
    assert account.history.earliest().account_manager_id == ent.am1.pk
    # and the old manager no longer sees the account (scope), the new one does, with its history on the page
    client.force_login(ent.am1)
    assert client.get(reverse("enterprise:account", args=[account.pk])).status_code == 404
    client.force_login(ent.am2)
    html = client.get(reverse("enterprise:account", args=[account.pk])).content.decode()
    assert "客户经理调岗" in html and "签约回访" in html and "拜访联系人" in html


def test_reassignment_needs_a_reason_and_a_different_manager(ent):
    with pytest.raises(ValidationError) as e:
        services.account_reassign(account=ent.acc1, to_manager=ent.am2, by=ent.lead_a1, reason=" ")
    assert e.value.message_dict == {"reason": [services.REASON_REQUIRED]}
    with pytest.raises(ValidationError):
        services.account_reassign(account=ent.acc1, to_manager=ent.am1, by=ent.lead_a1, reason="x")
    with pytest.raises(ValidationError):
        services.account_reassign(account=ent.acc1, to_manager=ent.credit_officer, by=ent.lead_a1, reason="x")
    assert not AssignmentChange.objects.exists()


def test_reassign_page_writes_the_history_row(client, ent):
    client.force_login(ent.lead_a1)
    response = client.post(reverse("enterprise:account-reassign", args=[ent.acc1.pk]),
                           {"kind": "service", "to_manager": ent.am2.pk, "reason": "服务经理轮换"})
    assert response.status_code == 302
    ent.acc1.refresh_from_db()
    assert ent.acc1.service_manager == ent.am2 and ent.acc1.account_manager == ent.am1
    assert AssignmentChange.objects.get().kind == "service"


def test_a_service_day_on_the_26th_moves_to_next_month_with_a_message(client, ent):
    now = at(date(2026, 12, 1))
    order, message = services.service_day_submit(account=ent.acc1, requested_date=date(2026, 12, 26),
                                                 policy="VPN 优惠", materials="横幅", by=ent.am1, now=now)
    # not New Year's Day (Friday 1 January 2027): the first working day of January is Monday the 4th
    assert order.service_date == date(2027, 1, 4) and order.requested_date == date(2026, 12, 26)
    assert "25" in message and "2027-01-04" in message
    _, message = services.service_day_submit(account=ent.acc1, requested_date=date(2026, 12, 25), policy="p",
                                             materials="m", by=ent.am1, now=now)
    assert message == ""
    # the page says so
    from enterprise.policies import first_working_day_of_next_month

    requested = (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=26)  # next month's 26th
    client.force_login(ent.am1)
    response = client.post(reverse("enterprise:service-day-create", args=[ent.acc1.pk]),
                           {"requested_date": requested.isoformat(), "policy": "4G 换卡", "materials": "海报"},
                           follow=True)
    moved_to = first_working_day_of_next_month(requested, calendar=working_calendar()).isoformat()
    texts = [str(m) for m in response.context["messages"]]
    assert any("25" in t and moved_to in t for t in texts), texts


def test_collection_picks_up_exactly_the_orders_since_the_last_one(ent):
    def submit(day, hour):
        return services.service_day_submit(account=ent.acc1, requested_date=date(2026, 12, 20), policy="p",
                                           materials="m", by=ent.am1, now=at(day, hour))[0]

    before = submit(date(2026, 11, 30), 10)  # Monday
    first = services.service_days_collect(today=date(2026, 12, 1), now=at(date(2026, 12, 1), 9))  # Tuesday
    assert list(first.orders.all()) == [before] and first.order_count == 1
    after_1 = submit(date(2026, 12, 1), 11)  # after Tuesday's collection
    after_2 = submit(date(2026, 12, 2), 15)  # Wednesday
    again = services.service_days_collect(today=date(2026, 12, 1))  # same day: apply-once
    assert again.pk == first.pk and first.orders.count() == 1
    second = services.service_days_collect(today=date(2026, 12, 3), now=at(date(2026, 12, 3), 9))  # Thursday
    assert set(second.orders.all()) == {after_1, after_2} and second.order_count == 2
    assert ServiceDayOrder.objects.filter(collection__isnull=True).count() == 0
    with pytest.raises(ValidationError):
        services.service_days_collect(today=date(2026, 12, 2))  # Wednesday: no collection


def test_visit_logged_on_the_3rd_working_day_is_on_time_the_4th_overdue(client, ent):
    from enterprise import policies

    day = date(2026, 12, 3)  # Thursday → log by Tuesday 8 December
    on_time, _ = services.service_day_submit(account=ent.acc1, requested_date=day, policy="p", materials="m",
                                             by=ent.am1, now=at(date(2026, 12, 1)))
    late, _ = services.service_day_submit(account=ent.acc1b, requested_date=day, policy="p", materials="m",
                                          by=ent.am1, now=at(date(2026, 12, 1)))
    services.interaction_log(account=ent.acc1, by=ent.am1, kind="visit", summary="服务进驻", at=at(date(2026, 12, 8)),
                             service_day=on_time)
    services.interaction_log(account=ent.acc1b, by=ent.am1, kind="visit", summary="服务进驻",
                             at=at(date(2026, 12, 9)), service_day=late)
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.visit_logged_on == date(2026, 12, 8) and on_time.status == "visited"
    assert on_time.visit_deadline == date(2026, 12, 8)
    assert not policies.visit_overdue(on_time.visit_deadline, on_time.visit_logged_on, date(2026, 12, 31))
    assert policies.visit_overdue(late.visit_deadline, late.visit_logged_on, date(2026, 12, 31))


# ---------------------------------------------------------------- the shipped working-day calendar (2026)

def test_the_shipped_calendar_has_the_2026_arrangement():
    calendar = working_calendar()
    assert calendar.name(date(2026, 10, 1)) == "国庆节" and not calendar.is_working_day(date(2026, 10, 7))
    assert calendar.is_working_day(date(2026, 10, 10)) and calendar.is_working_day(date(2026, 9, 20))  # 调休上班
    assert not calendar.is_working_day(date(2026, 1, 1)) and calendar.is_working_day(date(2026, 1, 4))
    assert not calendar.is_working_day(date(2026, 2, 23)) and calendar.is_working_day(date(2026, 2, 28))
    assert not calendar.is_working_day(date(2027, 1, 1)) and not calendar.is_working_day(date(2027, 10, 1))
    assert not CalendarDay.objects.get(date=date(2027, 10, 1)).confirmed  # 2027: to check against the notice
    assert CalendarDay.objects.filter(date__year=2026).count() == 33 + 6  # holiday days + make-up days


@pytest.mark.parametrize("service_day, deadline", [
    (date(2026, 9, 23), date(2026, 9, 29)),  # Wed: Thu 24; 25–27 Sep 中秋节; Mon 28, Tue 29
    (date(2026, 2, 13), date(2026, 2, 25)),  # Fri: Sat 14 (调休上班); 15–23 Feb 春节; Tue 24, Wed 25
])
def test_three_working_days_to_log_the_visit_skip_the_holiday(ent, service_day, deadline):
    order, message = services.service_day_submit(account=ent.acc1, requested_date=service_day, policy="p",
                                                 materials="m", by=ent.am1, now=at(service_day - timedelta(days=7)))
    assert order.service_date == service_day and message == ""
    assert order.visit_deadline == deadline
    # (30 Sep itself is after the 25th and no service day: the pure rule's test counts from it, 8–10 Oct)


def test_a_service_day_asked_for_national_day_moves_with_a_message(ent):
    order, message = services.service_day_submit(account=ent.acc1, requested_date=date(2026, 10, 2), policy="p",
                                                 materials="m", by=ent.am1, now=at(date(2026, 9, 21)))
    assert order.service_date == date(2026, 10, 8)
    assert "国庆节" in message and "2026-10-08" in message
    order, _ = services.service_day_submit(account=ent.acc1, requested_date=date(2026, 9, 28), policy="p",
                                           materials="m", by=ent.am1, now=at(date(2026, 9, 21)))
    assert order.service_date == date(2026, 10, 8)  # after the 25th: October's first working day


def test_a_holiday_thursday_collects_on_the_next_working_day(ent):
    services.service_day_submit(account=ent.acc1, requested_date=date(2026, 12, 20), policy="p", materials="m",
                                by=ent.am1, now=at(date(2026, 4, 30)))
    with pytest.raises(ValidationError):
        services.service_days_collect(today=date(2026, 5, 5), now=at(date(2026, 5, 5), 9))  # Tuesday, 劳动节
    collection = services.service_days_collect(today=date(2026, 5, 6), now=at(date(2026, 5, 6), 9))  # Wednesday
    assert collection.order_count == 1
    with pytest.raises(ValidationError):
        services.service_days_collect(today=date(2026, 10, 1))  # Thursday, 国庆节


def test_the_december_report_is_due_on_friday_8_january(ent):
    from enterprise.models import ServiceDayReport

    services.service_day_submit(account=ent.acc1, requested_date=date(2026, 12, 3), policy="p", materials="m",
                                by=ent.am1, now=at(date(2026, 12, 1)))
    services.service_day_reports_ensure(today=date(2027, 1, 4))
    assert ServiceDayReport.objects.get(kind="monthly").due_date == date(2027, 1, 8)  # 10 Jan 2027 is a Sunday
    # the week 28 Dec – 3 Jan: due Monday 4 January (1 January is New Year's Day, within the week)
    assert ServiceDayReport.objects.get(kind="weekly").due_date == date(2027, 1, 4)


def test_a_task_due_on_a_holiday_is_refused_naming_the_next_working_day(ent):
    with pytest.raises(ValidationError) as e:
        services.task_create(account=ent.acc1, title="走访", due_date=date(2026, 10, 1), assigned_by=ent.lead_a1)
    assert e.value.error_dict["due_date"][0].code == "not_working_day"
    assert "2026-10-08" in str(e.value) and "国庆节" in str(e.value)
    assert services.task_create(account=ent.acc1, title="走访", due_date=date(2026, 10, 10),  # 调休上班
                                assigned_by=ent.lead_a1).due_date == date(2026, 10, 10)


def test_an_admin_edits_the_calendar_and_the_rules_and_open_deadlines_follow(client, ent):
    order, _ = services.service_day_submit(account=ent.acc1, requested_date=date(2026, 12, 3), policy="p",
                                           materials="m", by=ent.am1, now=at(date(2026, 12, 1)))
    assert order.visit_deadline == date(2026, 12, 8)
    assert working_calendar().is_working_day(date(2026, 12, 7))  # loaded, and kept by this process
    client.force_login(ent.admin)
    response = client.post(reverse("admin:core_calendarday_add"), {
        "date": "2026-12-07", "name": "临时停工", "confirmed": "on"})  # is_working_day off: a holiday
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not working_calendar().is_working_day(date(2026, 12, 7))
    order.refresh_from_db()
    assert order.visit_deadline == date(2026, 12, 9)  # Fri 4, Tue 8, Wed 9
    CalendarDay.objects.get(date=date(2026, 12, 7)).delete()
    order.refresh_from_db()
    assert order.visit_deadline == date(2026, 12, 8) and working_calendar().is_working_day(date(2026, 12, 7))
    assert client.get(reverse("admin:core_calendarday_changelist")).status_code == 200


def test_visit_log_of_another_groups_service_day_is_refused(ent):
    order, _ = services.service_day_submit(account=ent.acc1, requested_date=TODAY, policy="p", materials="m",
                                           by=ent.am1, now=at(TODAY, 8))
    with pytest.raises(ValidationError):
        services.interaction_log(account=ent.acc2, by=ent.am2, kind="visit", summary="x", service_day=order)


def test_reports_due_weekly_and_by_the_10th(ent):
    from enterprise.models import ServiceDayReport

    services.service_day_submit(account=ent.acc1, requested_date=date(2026, 11, 5), policy="p", materials="m",
                                by=ent.am1, now=at(date(2026, 11, 2)))
    assert services.service_day_reports_ensure(today=date(2026, 12, 2)) == 2
    monthly = ServiceDayReport.objects.get(kind="monthly")
    assert (monthly.period_start, monthly.due_date, monthly.groups_served) == (date(2026, 11, 1),
                                                                               date(2026, 12, 10), 1)
    weekly = ServiceDayReport.objects.get(kind="weekly")
    assert (weekly.period_start, weekly.due_date) == (date(2026, 11, 23), date(2026, 11, 30))
    assert services.service_day_reports_ensure(today=date(2026, 12, 2)) == 0
    services.service_day_report_submit(report=monthly, by=ent.marketing, summary="11 月进驻 1 个集团",
                                       today=date(2026, 12, 10))
    monthly.refresh_from_db()
    assert monthly.submitted_on == date(2026, 12, 10)


def test_class_policy_versions(ent):
    from enterprise.models import ClassPolicy
    from enterprise.policies import DEFAULT_CLASS_POLICY

    new = services.class_policy_publish(by=ent.admin, note="weigh revenue more", **{
        **DEFAULT_CLASS_POLICY, "weights": {"revenue": 45, "members": 20, "products": 15, "loyalty": 5,
                                            "credit": 15}})
    assert new.version == 2 and new.active
    assert list(ClassPolicy.objects.values_list("version", "active")) == [(2, True), (1, False)]
    with pytest.raises(ValidationError):
        services.class_policy_publish(by=ent.admin, note="bad", **{**DEFAULT_CLASS_POLICY, "cutoffs": []})


def test_done_task_needs_an_outcome(ent):
    task = services.task_create(account=ent.acc1, title="t", due_date=TODAY, assigned_by=ent.lead_a1)
    assert task.assigned_to == ent.am1  # default: the account's manager
    with pytest.raises(ValidationError) as e:
        services.task_update(task=task, by=ent.am1, status="done", outcome="")
    assert e.value.message_dict == {"outcome": [services.OUTCOME_REQUIRED]}
    assert timezone.now()


def test_opportunities_prospects_and_stages_in_scope(client, ent):
    from enterprise.selectors import opportunity_list

    prospect = services.opportunity_create(by=ent.am1, kind="prospect", title="新园区集团",
                                           prospect_name="高新区某科技公司")
    assert prospect.account is None and prospect.region == ent.region_a and prospect.account_manager == ent.am1
    on_account = services.opportunity_create(by=ent.am1, kind="development_plan", title="行业应用",
                                             account=ent.acc1, expected_revenue=Decimal("1200.50"))
    with pytest.raises(ValidationError) as e:
        services.opportunity_create(by=ent.am1, kind="prospect", title="x")
    assert e.value.message_dict == {"prospect_name": [services.PROSPECT_NEEDS_NAME]}
    assert set(opportunity_list(user=ent.am1)) == {prospect, on_account}
    assert set(opportunity_list(user=ent.lead_a1)) == {prospect, on_account}
    assert not opportunity_list(user=ent.am4).exists()
    services.opportunity_move(opportunity=on_account, by=ent.am1, stage="won", note="签约")
    with pytest.raises(ValidationError):
        services.opportunity_move(opportunity=on_account, by=ent.am1, stage="lost")
    assert list(Opportunity.objects.get(pk=on_account.pk).history.values_list("stage", flat=True)) == [
        "won", "identified"]
    client.force_login(ent.am1)
    response = client.post(reverse("enterprise:opportunity-create"), {
        "kind": "development_request", "title": "综合语音接入", "account": ent.acc1b.pk, "expected_revenue": "800"})
    assert response.status_code == 302
    assert Opportunity.objects.filter(account=ent.acc1b, expected_revenue=Decimal("800")).exists()


def test_the_opportunity_form_picks_the_account_by_name_and_refuses_one_outside_scope(ent, client):
    """The account is a name picker (no option per account in the page) posting an id the server checks against
    the user's scope: another manager's account is refused like an unknown one, nothing recorded."""
    client.force_login(ent.am1)
    page = client.get(reverse("enterprise:opportunity-create") + f"?account={ent.acc1.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-lookup="{reverse("lookup-enterprise-accounts")}"' in body
    assert ent.acc1b.name not in body and "<option" not in body.split('name="account"')[1].split(">")[0]
    refused = client.post(reverse("enterprise:opportunity-create"), {
        "kind": "development_request", "title": "越权", "account": ent.acc4.pk})
    assert refused.status_code == 200 and "account" in refused.context["form"].errors
    assert not Opportunity.objects.filter(title="越权").exists()
