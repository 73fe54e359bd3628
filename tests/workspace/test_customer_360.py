"""The customer 360 as the one place (issue 18 §2, §8): the account state the product derived, churn risk and
alerts, and only the actions the user's role may take, each POST answered by a redirect."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from arrears.models import EmergencyPass, Exemption, LedgerEntry, LineAccount
from credit.services import legacy_grade_import
from retention.batches import scan_chunk
from retention.choices import AlertStatus, Signal
from retention.models import RetentionAlert
from tests.factories import LineFactory
from tests.retention.conftest import FALLING_3, HOTLINE_RISING_3, SCAN_DAY, with_history
from tests.workspace.conftest import NIGHT, at, bill, nightly

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_arrears(org):
    """am1's customer with a line whose bill of 100.00 is 40 days past due, after the nightly evaluation."""
    customer = org.book[org.am1.pk][0]
    line = LineFactory(customer=customer)
    bill(line, due_days_ago=40)
    nightly()
    return customer, line


def page(client, user, customer, day=NIGHT):
    client.force_login(user)
    with freeze_time(at(day)):
        return client.get(reverse("customers:detail", args=[customer.pk]))


def test_the_page_shows_balance_usable_credit_arrears_age_and_barring_state_the_product_derived(client, org,
                                                                                             in_arrears):
    customer, line = in_arrears
    account = LineAccount.objects.get(pk=line.pk)
    response = page(client, org.am1, customer)
    assert response.status_code == 200
    [shown] = response.context["accounts"]
    assert shown.balance == account.balance < Decimal("-100.00")  # the bill and its late fees
    assert shown.usable == account.balance + customer.credit_limit  # unrated: no credit, usable = balance
    assert shown.days_in_arrears == 40 and shown.bucket == "31-60"
    assert account.state == "two_way_barred"  # 30 days past due: two-way barred (DOMAIN.md)
    html = response.content.decode()
    assert response.context["oldest_arrears_days"] == 40
    assert str(account.get_state_display()) in html
    assert response.context["barring_events"], "the barring history the nightly run recorded"


def test_usable_credit_counts_the_credit_limit_of_a_rated_customer(client, org):
    customer = org.book[org.am1.pk][0]
    legacy_grade_import(customer=customer, grade="A")
    customer.refresh_from_db()
    line = LineFactory(customer=customer)
    bill(line, due_days_ago=0, amount="30.00")
    nightly()
    [shown] = page(client, org.am1, customer).context["accounts"]
    assert customer.credit_limit > 0 and shown.usable == shown.balance + customer.credit_limit


@pytest.mark.parametrize("who, present, absent", [
    ("am1", ["emergency-form"], ["exemption-form", "waiver-form", "blacklist-form"]),
    ("credit_officer", ["exemption-form", "waiver-form", "blacklist-form", "emergency-form"], []),
    ("collections", ["promise-link", "emergency-form"], ["exemption-form", "waiver-form", "blacklist-form"]),
    ("marketing", [], ["emergency-form", "exemption-form", "waiver-form", "blacklist-form", 'id="actions"']),
])
def test_only_the_actions_the_role_may_take_are_offered(client, org, in_arrears, who, present, absent):
    customer, _ = in_arrears
    html = page(client, getattr(org, who), customer).content.decode()
    for marker in present:
        assert marker in html, marker
    for marker in absent:
        assert marker not in html, marker


def test_credit_officer_exempts_a_line_in_place_and_is_redirected_back(client, org, in_arrears):
    customer, line = in_arrears
    client.force_login(org.credit_officer)
    with freeze_time(at(NIGHT)):
        response = client.post(reverse("customers:exemption", args=[customer.pk]), {
            "line": line.pk, "valid_until": (NIGHT + timedelta(days=30)).isoformat(), "reason": "政府热线"})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk]) + "#account"
    assert Exemption.objects.get(line=line).reason == "政府热线"
    assert LineAccount.objects.get(pk=line.pk).state == "active"  # the service restores an exempted line


def test_a_manager_may_not_exempt_and_nothing_changes(client, org, in_arrears):
    customer, line = in_arrears
    client.force_login(org.am1)
    response = client.post(reverse("customers:exemption", args=[customer.pk]), {
        "line": line.pk, "valid_until": (NIGHT + timedelta(days=30)).isoformat(), "reason": "x"})
    assert response.status_code == 403 and not Exemption.objects.exists()


def test_another_managers_customer_is_not_found(client, org, in_arrears):
    customer, line = in_arrears
    client.force_login(org.am2)
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 404
    assert client.post(reverse("customers:emergency", args=[customer.pk]),
                       {"line": line.pk, "channel": "hotline"}).status_code == 404


def test_a_refused_emergency_pass_redirects_with_the_rule_as_a_message(client, org, in_arrears):
    customer, line = in_arrears  # unrated: emergency continuity is for 3★ and above
    client.force_login(org.am1)
    with freeze_time(at(NIGHT)):
        response = client.post(reverse("customers:emergency", args=[customer.pk]),
                               {"line": line.pk, "channel": "account_manager"}, follow=True)
    assert response.redirect_chain[0] == (reverse("customers:detail", args=[customer.pk]) + "#account", 302)
    assert not EmergencyPass.objects.exists()
    assert any("3★" in str(m) for m in response.context["messages"])


def test_a_line_of_another_customer_is_refused_as_a_form_error(client, org, in_arrears):
    customer, _ = in_arrears
    other = LineFactory(customer=org.book[org.am1.pk][1])
    client.force_login(org.credit_officer)
    response = client.post(reverse("customers:waiver", args=[customer.pk]),
                           {"line": other.pk, "amount": "0.30", "reason": "x"}, follow=True)
    assert response.redirect_chain[0] == (reverse("customers:detail", args=[customer.pk]) + "#account", 302)
    assert [str(m) for m in response.context["messages"]], "the refusal is said on the page"
    assert not LedgerEntry.objects.filter(kind="waiver").exists()


@pytest.fixture
def alert(org):
    customer = with_history(org.book[org.am1.pk][0], spend=FALLING_3, hotline=HOTLINE_RISING_3)
    scan_chunk(customer.pk, customer.pk + 1, SCAN_DAY)
    return RetentionAlert.objects.get(customer=customer)


def test_churn_risk_shows_the_score_its_signals_and_the_alert(client, org, alert):
    response = page(client, org.am1, alert.customer)
    html = response.content.decode()
    assert response.context["churn_score"].score == 65
    with translation.override("zh-hans"):  # the page's default language
        label = str(Signal.SPEND_FALLING.label)
    assert label in html and "spend_falling" not in html  # labels, not codes
    assert 'id="alert-step-form"' in html
    assert "nightly scan" not in html and "夜间扫描" in html  # the scan's stored note, in the page's language


def test_manager_records_an_alert_step_in_place_and_comes_back(client, org, alert):
    client.force_login(org.am1)
    response = client.post(reverse("customers:alert-step", args=[alert.pk]),
                           {"to_status": AlertStatus.CONTACTED, "note": "上门拜访，客户考虑续约"})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[alert.customer_id]) + "#churn"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CONTACTED and alert.events.last().note == "上门拜访，客户考虑续约"
    assert "上门拜访" in page(client, org.am1, alert.customer).content.decode()


def test_credit_officer_reads_the_alert_but_gets_no_step_form_and_a_post_is_refused(client, org, alert):
    html = page(client, org.credit_officer, alert.customer).content.decode()
    assert f'id="alert-{alert.pk}"' in html and 'id="alert-step-form"' not in html
    client.force_login(org.credit_officer)
    assert client.post(reverse("customers:alert-step", args=[alert.pk]),
                       {"to_status": AlertStatus.CONTACTED}).status_code == 403


def test_credit_officer_waives_the_late_fees_in_place(client, org, in_arrears):
    customer, line = in_arrears
    fees = -sum(e.amount for e in LedgerEntry.objects.filter(line=line, kind="late_fee"))
    before = LineAccount.objects.get(pk=line.pk).balance
    assert fees > 0, "40 days past due: the nightly run charged late fees"
    client.force_login(org.credit_officer)
    with freeze_time(at(NIGHT)):
        response = client.post(reverse("customers:waiver", args=[customer.pk]),
                               {"line": line.pk, "amount": str(fees), "reason": "首次逾期"})
        too_much = client.post(reverse("customers:waiver", args=[customer.pk]),
                               {"line": line.pk, "amount": "0.01", "reason": "再减"}, follow=True)
    assert response.status_code == 302
    assert LineAccount.objects.get(pk=line.pk).balance == before + fees
    assert LedgerEntry.objects.filter(line=line, kind="waiver").count() == 1  # nothing left to waive
    # the refusal in the page's language (Chinese by default), amounts in the one money format
    assert [str(m) for m in too_much.context["messages"]][-1] == "本线路最多可减免 ¥0.00 滞纳金（申请 ¥0.01）。"


def test_blacklisting_from_the_page_comes_back_to_it_and_a_foreign_next_is_ignored(client, org, in_arrears):
    customer, _line = in_arrears
    other = org.book[org.am1.pk][1]
    back = reverse("customers:detail", args=[customer.pk]) + "#blacklist"
    assert f'name="next" value="{back}"' in page(client, org.credit_officer, customer).content.decode()
    data = {"customer": customer.pk, "reason": "恶意欠费", "evidence": "", "amount_owed": "100.00", "next": back}
    response = client.post(reverse("credit:blacklist-add"), data)
    assert response.status_code == 302 and response.url == back
    assert "恶意欠费" in page(client, org.credit_officer, customer).content.decode()
    response = client.post(reverse("credit:blacklist-add"),
                           {**data, "customer": other.pk, "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("credit:blacklist")
