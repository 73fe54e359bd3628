"""Home = the day's work per role (issue 18 §1): each list scoped to the user, bounded, linking to where the
work is done."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from core.choices import Role
from arrears.services import payment_record
from credit.blacklist import blacklist_entry_add
from credit.choices import Feature
from credit.impact import stability_record
from credit.models import FourEyesRequest
from credit.services import credit_limit_change, legacy_grade_import
from credit.selectors import scoring_model_published
from enterprise.services import task_create
from marketing.choices import CampaignStatus
from retention.batches import scan_chunk
from tests.conftest import make_staff
from tests.credit.test_model_governance import rated_province
from tests.enterprise.factories import EnterpriseAccountFactory
from tests.factories import CustomerFactory, LineFactory
from tests.marketing.conftest import make_campaign, walk
from tests.retention.conftest import FALLING_3, HOTLINE_RISING_3, SCAN_DAY, with_history
from tests.workspace.conftest import NIGHT, at, bill, nightly
from workspace.selectors import HOME_ROWS

pytestmark = pytest.mark.django_db


def home(client, user, day=NIGHT):
    client.force_login(user)
    with freeze_time(at(day)):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response


def rows(response, key):
    return response.context["home_lists"][key].rows


def test_a_bill_unpaid_past_due_puts_the_customer_in_their_managers_newly_in_arrears_only(client, org):
    customer = org.book[org.am1.pk][0]
    line = LineFactory(customer=customer)
    bill(line, due_days_ago=3)
    nightly()
    mine = home(client, org.am1)
    [account] = rows(mine, "arrears")
    # owed: the bill and the night's late fee (0.3% of the overdue amount, DOMAIN.md)
    assert account.pk == line.pk and account.days_in_arrears == 3 and account.owed == Decimal("100.30")
    page = mine.content.decode()
    assert customer.name in page and reverse("customers:detail", args=[customer.pk]) + "#account" in page
    assert [a.pk for a in rows(home(client, org.lead_a1), "arrears")] == [line.pk]  # the lead's team
    assert rows(home(client, org.am2), "arrears") == []  # another manager's book
    assert rows(home(client, org.am4), "arrears") == []


def test_arrears_older_than_a_week_and_not_newly_barred_are_not_new(client, org):
    line = LineFactory(customer=org.book[org.am1.pk][0])
    bill(line, due_days_ago=3)
    nightly()
    with freeze_time(at(NIGHT + timedelta(days=8))):  # still owing, a week on: in the queue, not "new" any more
        home_later = home(client, org.am1, day=NIGHT + timedelta(days=8))
    assert rows(home_later, "arrears") == []


def test_a_churn_alert_from_the_nightly_scan_is_on_its_managers_home(client, org):
    customer = with_history(org.book[org.am1.pk][0], spend=FALLING_3, hotline=HOTLINE_RISING_3)
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)
    [alert] = rows(home(client, org.am1), "alerts")
    assert alert.customer_id == customer.pk and alert.score == 65
    assert reverse("retention:alert", args=[alert.pk]) in home(client, org.am1).content.decode()
    assert rows(home(client, org.am2), "alerts") == []


def test_a_task_due_today_and_one_overdue_are_listed_for_the_assignee(client, org):
    account = EnterpriseAccountFactory(account_manager=org.am1, region=org.region_a)
    with freeze_time(at(NIGHT - timedelta(days=5))):
        late = task_create(account=account, title="回访集团", due_date=NIGHT - timedelta(days=1),
                           assigned_by=org.lead_a1)
        today = task_create(account=account, title="续签协议", due_date=NIGHT, assigned_by=org.lead_a1)
        task_create(account=account, title="下周拜访", due_date=NIGHT + timedelta(days=7), assigned_by=org.lead_a1)
    response = home(client, org.am1)
    assert [t.pk for t in rows(response, "tasks")] == [late.pk, today.pk]
    assert reverse("enterprise:task", args=[late.pk]) in response.content.decode()
    assert rows(home(client, org.am2), "tasks") == []


def test_credit_officer_sees_a_four_eyes_request_of_another_officer_not_their_own(client, org):
    customer = org.book[org.am1.pk][0]
    legacy_grade_import(customer=customer, grade="A")
    customer.refresh_from_db()
    request = credit_limit_change(customer=customer, amount=Decimal("999.00"), reason="大客户",
                                  by=org.credit_officer)
    assert isinstance(request, FourEyesRequest)
    second = make_staff(Role.CREDIT_OFFICER)
    response = home(client, second)
    assert [r.pk for r in rows(response, "four_eyes")] == [request.pk]
    assert "· ¥999.00" in response.content.decode()  # the one money format
    with freeze_time(at(NIGHT)):  # the customer's page names the requester, amount as money
        page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    who = org.credit_officer.staff_profile.display_name
    assert f"额度 ¥999.00，由 {who} 提出" in page and org.credit_officer.username not in page
    assert rows(home(client, org.credit_officer), "four_eyes") == []
    assert "four_eyes" not in home(client, org.am1).context["home_lists"]


def test_credit_officer_sees_campaigns_waiting_for_review(client, org):
    campaign = walk(make_campaign(org.marketing), (CampaignStatus.SUBMITTED, org.marketing))
    response = home(client, org.credit_officer)
    assert [c.pk for c in rows(response, "reviews")] == [campaign.pk]
    assert reverse("marketing:campaign", args=[campaign.pk]) in response.content.decode()
    assert "reviews" not in home(client, org.marketing).context["home_lists"]


def test_collections_top_cases_by_amount_and_by_age(client, org):
    big, old = LineFactory(), LineFactory()
    bill(big, due_days_ago=10, amount="500.00")
    bill(old, due_days_ago=75, amount="50.00")
    nightly()
    response = home(client, org.collections)
    assert [a.pk for a in rows(response, "queue_amount")] == [big.pk, old.pk]
    assert [a.pk for a in rows(response, "queue_age")] == [old.pk, big.pk]
    assert reverse("arrears:collection-item", args=[old.pk]) in response.content.decode()
    assert set(response.context["home_lists"]) == {"queue_amount", "queue_age"}  # no book, no credit decisions
    # "see all" under the age card continues the same order on the queue page: the oldest case comes first there too
    queue = client.get(response.context["home_lists"]["queue_age"].see_all)
    assert [a.pk for a in queue.context["page_obj"].object_list][:2] == [old.pk, big.pk]


def test_a_list_shows_at_most_its_rows_and_offers_see_all(client, org):
    for _ in range(HOME_ROWS + 1):
        bill(LineFactory(customer=org.book[org.am1.pk][0]), due_days_ago=2)
    nightly()
    response = home(client, org.am1)
    found = response.context["home_lists"]["arrears"]
    assert len(found.rows) == HOME_ROWS and found.more
    assert f'{HOME_ROWS}+' in response.content.decode()


@pytest.mark.parametrize("role, lists", [
    (Role.ACCOUNT_MANAGER, {"callbacks", "tasks", "alerts", "arrears"}),
    (Role.CREDIT_OFFICER, {"reviews", "four_eyes", "blacklist", "drift"}),
    (Role.MARKETING, {"campaigns"}),
])
def test_each_role_gets_its_own_lists(client, org, role, lists):
    user = {Role.ACCOUNT_MANAGER: org.am1, Role.CREDIT_OFFICER: org.credit_officer, Role.MARKETING: org.marketing}[role]
    assert set(home(client, user).context["home_lists"]) == lists


def test_blacklist_settlements_show_an_entry_being_paid_and_one_settled_this_week(client, org):
    paying, settled = org.book[org.am1.pk]
    lines = {c.pk: LineFactory(customer=c) for c in (paying, settled)}
    with freeze_time(at(NIGHT - timedelta(days=2))):
        for customer in (paying, settled):
            blacklist_entry_add(customer=customer, reason="欠费离网", amount_owed=Decimal("50.00"),
                                line=lines[customer.pk], by=org.credit_officer)
        payment_record(line=lines[paying.pk], amount=Decimal("20.00"), paid_at=at(NIGHT - timedelta(days=1)),
                       channel="counter", reference="bl-part")
        payment_record(line=lines[settled.pk], amount=Decimal("50.00"), paid_at=at(NIGHT - timedelta(days=1)),
                       channel="counter", reference="bl-full")
    untouched = org.book[org.am2.pk][0]
    blacklist_entry_add(customer=untouched, reason="欺诈", amount_owed=Decimal("80.00"), by=org.credit_officer)
    found = {e.customer_id: e for e in rows(home(client, org.credit_officer), "blacklist")}
    assert set(found) == {paying.pk, settled.pk}  # the entry nobody paid on waits on the blacklist page
    assert found[paying.pk].amount_paid == Decimal("20.00") and found[paying.pk].cleared_at is None
    assert found[settled.pk].cleared_at is not None


def test_marketing_home_lists_their_drafts_and_returned_campaigns_not_submitted_or_others(client, org):
    draft = make_campaign(org.marketing, name="草稿方案")
    submitted = walk(make_campaign(org.marketing, name="已提交方案"), (CampaignStatus.SUBMITTED, org.marketing))
    make_campaign(org.credit_officer, name="别人的方案")
    response = home(client, org.marketing)
    assert [c.pk for c in rows(response, "campaigns")] == [draft.pk]
    assert submitted.pk not in [c.pk for c in rows(response, "campaigns")]
    assert reverse("marketing:campaign-create") in response.content.decode()


def test_a_drift_warning_names_the_factor_by_its_label_not_its_code(client, org):
    """The monthly PSI job after a wave of newcomers: tenure drifts; the credit officer reads the factor's label."""
    rated_province()
    model = scoring_model_published()
    stability_record(model=model, month=date(2026, 10, 1))
    for _ in range(6):
        LineFactory(customer=CustomerFactory(join_date=date(2026, 10, 15), credit_star=None))
    stability_record(model=model, month=date(2026, 11, 1))
    response = home(client, org.credit_officer)
    warning = next(w for w in rows(response, "drift") if w.variable == "tenure_months")
    with translation.override("zh-hans"):
        label = str(Feature.TENURE_MONTHS.label)
    assert warning.label == label and label != "tenure_months"
    page = response.content.decode()
    assert f" · {label} · " in page and "tenure_months" not in page


def test_admin_is_asked_to_confirm_the_coming_calendar_days_derived_from_the_law(client, org):
    from core.models import CalendarDay

    # 2027's shipped days are the holiday law's, unconfirmed until checked against the State Council's notice (a
    # transactional test elsewhere may have flushed the shipped rows: the admin's own input stands in for them)
    CalendarDay.objects.update_or_create(date=date(2027, 10, 4), defaults={
        "is_working_day": False, "name": "国庆节补休", "confirmed": False})
    unconfirmed = CalendarDay.objects.filter(confirmed=False, date__gte=NIGHT).order_by("date")
    response = home(client, org.admin)
    card = response.context["home_lists"]["calendar"]
    assert [d.pk for d in card.rows] == [d.pk for d in unconfirmed[:HOME_ROWS]]
    assert "confirmed__exact=0" in card.see_all and "id=\"home-calendar\"" in response.content.decode()
    first = unconfirmed.first()
    CalendarDay.objects.filter(pk=first.pk).update(confirmed=True)  # checked: it leaves the day's work
    assert first.pk not in [d.pk for d in home(client, org.admin).context["home_lists"]["calendar"].rows]
    # nobody else keeps the calendar: no card for a credit officer or a manager
    assert "calendar" not in home(client, org.credit_officer).context["home_lists"]
    assert "calendar" not in home(client, org.am1).context["home_lists"]
