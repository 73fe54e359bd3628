"""Enterprise data kept by its managers (issue 16 item 1; 003 §4.3 第七 客户资料没有集中整理统一; 003 §4.1.2 key
people, VIP cards, 双机 = may switch): pages and API, in the manager's book, every change in the history, phones
masked; lapsed agreements keep the "agreement expiring" rule firing until renewed or ended on purpose."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from customers.models import Device
from enterprise import account_data, policies
from enterprise.batches import segment_in_process
from enterprise.models import Agreement, EnterpriseAccount, KeyPerson, SegmentTag
from retention.models import ChurnScore, RetentionAlert
from tests.enterprise.conftest import TODAY
from tests.enterprise.factories import SnapshotFactory
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize("expires, renewed, ended, state", [
    (TODAY + timedelta(days=61), False, None, "active"),
    (TODAY + timedelta(days=60), False, None, "expiring"),
    (TODAY - timedelta(days=1), False, None, "lapsed"),
    (TODAY - timedelta(days=400), False, None, "lapsed"),  # however long ago: it stays in sight
    (TODAY - timedelta(days=1), True, None, "renewed"),
    (TODAY - timedelta(days=1), False, TODAY, "ended"),
])
def test_agreement_state(expires, renewed, ended, state):
    assert policies.agreement_state(expires_on=expires, today=TODAY, renewed=renewed, ended_on=ended) == state


def test_agreement_errors():
    assert policies.agreement_errors(signed_on=TODAY, expires_on=TODAY - timedelta(days=1)) == {
        "expires_on": "An agreement expires after it is signed."}
    assert "expires_on" in policies.agreement_errors(signed_on=TODAY, expires_on=date(2027, 6, 30),
                                                     renews_expires_on=date(2027, 6, 30),
                                                     renews_signed_on=date(2025, 1, 1))
    assert policies.agreement_errors(signed_on=TODAY, expires_on=date(2027, 12, 31), ended_on=TODAY) == {
        "end_reason": "Say why the agreement ended without renewal."}


# ---------------------------------------------------------------- the "agreement expiring" rule


def _fired(account, day=TODAY):
    segment_in_process(day)
    return SegmentTag.objects.filter(account=account, evaluated_on=day, code="agreement_expiring").first()


def test_a_lapsed_agreement_keeps_the_rule_firing_until_renewed(ent):
    SnapshotFactory(account=ent.acc1, month=date(2026, 11, 1))
    old = account_data.agreement_create(account=ent.acc1, by=ent.am1, title="集团统付协议",
                                        signed_on=date(2025, 11, 1), expires_on=TODAY - timedelta(days=10))
    tag = _fired(ent.acc1)
    assert tag is not None and tag.value == -10  # lapsed 10 days ago: fires (≤ 60), not silently gone
    account_data.agreement_create(account=ent.acc1, by=ent.am1, title="集团统付协议（续签）",
                                  signed_on=TODAY - timedelta(days=5), expires_on=date(2028, 11, 30), renews=old)
    assert _fired(ent.acc1, TODAY + timedelta(days=1)) is None  # renewed: the renewal runs to 2028
    states = account_data.agreement_states(list(Agreement.objects.filter(account=ent.acc1)), TODAY)
    assert sorted(states.values()) == ["active", "renewed"]


def test_a_lapsed_agreement_ended_on_purpose_stops_firing_and_needs_a_reason(ent):
    SnapshotFactory(account=ent.acc1, month=date(2026, 11, 1))
    lapsed = account_data.agreement_create(account=ent.acc1, by=ent.am1, title="会议电话协议",
                                           signed_on=date(2025, 1, 1), expires_on=TODAY - timedelta(days=3))
    with pytest.raises(ValidationError, match="end_reason"):
        account_data.agreement_update(agreement=lapsed, by=ent.am1, ended_on=TODAY)
    assert _fired(ent.acc1) is not None
    account_data.agreement_update(agreement=lapsed, by=ent.am1, ended_on=TODAY, end_reason="客户改用集团短信，不再续签")
    assert _fired(ent.acc1, TODAY + timedelta(days=1)) is None


def test_renewal_rules(ent):
    old = account_data.agreement_create(account=ent.acc1, by=ent.am1, title="甲", signed_on=date(2025, 1, 1),
                                        expires_on=date(2026, 12, 31))
    with pytest.raises(ValidationError, match="expires_on"):
        account_data.agreement_create(account=ent.acc1, by=ent.am1, title="乙", signed_on=date(2026, 12, 1),
                                      expires_on=date(2026, 12, 31), renews=old)
    with pytest.raises(ValidationError):  # another group's agreement is not renewed here
        account_data.agreement_create(account=ent.acc1b, by=ent.am1, title="乙", signed_on=date(2026, 12, 1),
                                      expires_on=date(2027, 12, 31), renews=old)
    account_data.agreement_create(account=ent.acc1, by=ent.am1, title="乙", signed_on=date(2026, 12, 1),
                                  expires_on=date(2027, 12, 31), renews=old)
    with pytest.raises(ValidationError, match="renews"):
        account_data.agreement_create(account=ent.acc1, by=ent.am1, title="丙", signed_on=date(2026, 12, 1),
                                      expires_on=date(2027, 12, 31), renews=old)


# ---------------------------------------------------------------- pages


def test_a_manager_creates_an_account_in_their_own_book(client, ent):
    client.force_login(ent.am1)
    response = client.post(reverse("enterprise:account-create"), {
        "name": "杭州某A类集团", "industry": "水电煤", "region": ent.region_a.pk, "size": "large", "headcount": 1200,
        "competitors": "电信，联通, 电信", "legacy_class": "A"})
    account = EnterpriseAccount.objects.get(name="杭州某A类集团")
    assert response.status_code == 302 and account.account_manager == ent.am1
    assert account.competitors == "电信, 联通"
    assert account.history.first().history_user == ent.am1


def test_a_lead_cannot_create_an_account_for_another_team(ent):
    with pytest.raises(ValidationError, match="account_manager"):
        account_data.account_create(by=ent.lead_a1, account_manager=ent.am3, name="丁", industry="制造",
                                    region=ent.region_a)
    assert not EnterpriseAccount.objects.filter(name="丁").exists()
    assert account_data.account_create(by=ent.lead_a1, account_manager=ent.am2, name="丙2", industry="制造",
                                       region=ent.region_a).account_manager == ent.am2


def test_key_person_with_own_line_shows_churn_risk_and_dual_sim_masked(client, ent):
    customer = ent.book[ent.am1.pk][0]
    line = LineFactory(customer=customer, msisdn="13907310001")  # a customer of am1's, not a member line
    ChurnScore.objects.create(customer=customer, scanned_on=TODAY, score=72, signals={})
    Device.objects.create(customer=customer, brand="华为", model="Mate", price_band="high", dual_sim=True,
                          started_on=date(2026, 6, 1))
    client.force_login(ent.am1)
    response = client.post(reverse("enterprise:key-person-create", args=[ent.acc1.pk]), {
        "role": "decision_maker", "name": "李总", "title": "董事长", "phone": "13800138000",
        "line_msisdn": line.msisdn, "vip_card_issued_on": "2026-11-20"})
    assert response.status_code == 302
    person = KeyPerson.objects.get(name="李总")
    assert person.line == line and person.history.first().history_user == ent.am1
    html = client.get(reverse("enterprise:account", args=[ent.acc1.pk])).content.decode()
    assert "138****8000" in html and "13800138000" not in html
    assert "139****0001" in html and "13907310001" not in html
    row = html[html.index(f'data-key-person="{person.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "72" in row and ("双卡" in row or "dual SIM" in row)
    changes = client.get(reverse("enterprise:account", args=[ent.acc1.pk])).context["changes"]
    assert any(c["user"] == ent.am1.username and "138****8000" in " ".join(c["changes"]) for c in changes)


def test_own_line_must_be_a_member_or_in_the_writers_book(ent):
    stranger = LineFactory(customer=ent.book[ent.am4.pk][0], msisdn="13907319999")
    with pytest.raises(ValidationError, match="line_msisdn"):
        account_data.key_person_create(account=ent.acc1, by=ent.am1, role="liaison", name="王",
                                       line_msisdn=stranger.msisdn)


def test_editing_a_key_person_keeps_the_phone_when_left_empty(client, ent):
    person = account_data.key_person_create(account=ent.acc1, by=ent.am1, role="liaison", name="王主任",
                                            phone="0571-88886666")
    client.force_login(ent.am1)
    form = client.get(reverse("enterprise:key-person-edit", args=[person.pk])).content.decode()
    assert "88886666" not in form
    client.post(reverse("enterprise:key-person-edit", args=[person.pk]),
                {"role": "liaison", "name": "王主任", "title": "办公室主任"})
    person.refresh_from_db()
    assert person.phone == "0571-88886666" and person.title == "办公室主任"


def test_another_manager_cannot_touch_the_accounts_data(client, ent):
    person = account_data.key_person_create(account=ent.acc1, by=ent.am1, role="liaison", name="王主任")
    client.force_login(ent.am4)
    assert client.post(reverse("enterprise:key-person-edit", args=[person.pk]),
                       {"role": "liaison", "name": "改"}).status_code == 404
    assert client.post(reverse("enterprise:agreement-create", args=[ent.acc1.pk]), {}).status_code == 404
    person.refresh_from_db()
    assert person.name == "王主任"


# ---------------------------------------------------------------- API


def _fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_api_keeps_the_data_in_scope_and_masks_phones(ent):
    api = APIClient()
    api.force_authenticate(ent.am1)
    created = api.post("/api/enterprise/key-people/", {"account": ent.acc1.pk, "role": "liaison", "name": "张",
                                                          "phone": "13800138000"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "138****8000"
    other = api.post("/api/enterprise/key-people/", {"account": ent.acc4.pk, "role": "liaison", "name": "张"},
                     format="json")
    assert other.status_code == 400 and _fields(other) == {"account"}
    agreement = api.post("/api/enterprise/agreements/", {
        "account": ent.acc1.pk, "title": "集团专线", "signed_on": "2026-01-01", "expires_on": "2026-11-30",
        "monthly_value": "1000.00"}, format="json")
    assert agreement.status_code == 201 and agreement.json()["state"] in ("lapsed", "expiring", "active")
    bad = api.patch(f"/api/enterprise/agreements/{agreement.json()['id']}/", {"ended_on": "2026-12-01"},
                    format="json")
    assert bad.status_code == 400 and _fields(bad) == {"end_reason"}
    detail = api.get(f"/api/enterprise/accounts/{ent.acc1.pk}/").json()
    assert detail["key_people"][0]["phone"] == "138****8000"
    patched = api.patch(f"/api/enterprise/accounts/{ent.acc1.pk}/", {"competitors": ["电信"], "headcount": 300},
                        format="json")
    assert patched.status_code == 200 and patched.json()["competitors"] == ["电信"]
    assert api.patch(f"/api/enterprise/accounts/{ent.acc4.pk}/", {"headcount": 1}, format="json"
                     ).status_code == 404


def test_retention_alert_of_a_key_persons_line_shows(client, ent):
    customer = ent.book[ent.am1.pk][1]
    line = LineFactory(customer=customer, enterprise=ent.acc1)
    from django.utils import timezone

    RetentionAlert.objects.create(customer=customer, account_manager=ent.am1, opened_at=timezone.now(), score=81)
    account_data.key_person_create(account=ent.acc1, by=ent.am1, role="decision_maker", name="赵总",
                                   line_msisdn=line.msisdn)
    client.force_login(ent.am1)
    rows = client.get(reverse("enterprise:account", args=[ent.acc1.pk])).context["key_people"]
    assert rows[0]["alert_score"] == 81 and rows[0]["at_risk"]
