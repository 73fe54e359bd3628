"""Opportunities that go somewhere (issue 16 item 7; 002 §7.1 商机识别 → 客户开发申请 → 制定开发计划): a development
request needs a team lead's approval before it moves on; a won prospect becomes an enterprise account, with the
opportunity and its history on it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enterprise import services
from enterprise.models import EnterpriseAccount

pytestmark = pytest.mark.django_db


def test_a_development_request_needs_a_leads_approval(ent):
    request = services.opportunity_create(by=ent.am1, kind="development_request", title="综合语音接入",
                                          account=ent.acc1)
    with pytest.raises(ValidationError, match="stage"):
        services.opportunity_move(opportunity=request, by=ent.am1, stage="qualified")
    request.refresh_from_db()
    assert request.stage == "identified" and request.approved_by is None
    services.opportunity_move(opportunity=request, by=ent.lead_a1, stage="qualified", note="同意开发")
    request.refresh_from_db()
    assert request.approved_by == ent.lead_a1 and request.approved_at is not None
    services.opportunity_move(opportunity=request, by=ent.am1, stage="proposal")  # approved: the manager goes on
    assert request.history.first().stage == "proposal"


def test_an_unapproved_request_may_be_withdrawn(ent):
    request = services.opportunity_create(by=ent.am1, kind="development_request", title="集团彩铃", account=ent.acc1)
    assert services.opportunity_move(opportunity=request, by=ent.am1, stage="lost").stage == "lost"


def test_a_won_prospect_becomes_an_account_in_its_managers_book(client, ent):
    prospect = services.opportunity_create(by=ent.am1, kind="prospect", title="挖掘竞争对手客户",
                                           prospect_name="杭州燃气集团", plan="综合接入做捆绑")
    services.opportunity_move(opportunity=prospect, by=ent.am1, stage="qualified")
    services.opportunity_move(opportunity=prospect, by=ent.am1, stage="won", note="签约")
    prospect.refresh_from_db()
    account = EnterpriseAccount.objects.get(name="杭州燃气集团")
    assert prospect.account == account and account.account_manager == ent.am1
    assert account.region == ent.region_a
    assert [h.stage for h in prospect.history.order_by("history_date")] == ["identified", "qualified", "won"]
    client.force_login(ent.am1)
    page = client.get(reverse("enterprise:account", args=[account.pk]))
    assert [o.pk for o in page.context["opportunities"]] == [prospect.pk]
