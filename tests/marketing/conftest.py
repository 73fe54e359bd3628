from decimal import Decimal

import pytest
from django.utils import timezone

from arrears.models import LineAccount
from core.roles import user_role
from marketing import services
from marketing.choices import CampaignStatus, RiskControl
from tests.factories import LineFactory

SAFE = {  # a campaign with no warnings: capped usage, 3× tariff gap, a deposit, incentives tied to quality
    "goal": "提升全球通存量客户流量套餐渗透", "in_plan_tariff": Decimal("0.10"), "out_of_plan_tariff": Decimal("0.30"),
    "usage_cap": Decimal("200.00"), "deposit": Decimal("50.00"), "incentive_basis": "quality",
    "expected_participants": 10, "monthly_revenue": Decimal("58.00"), "monthly_cost": Decimal("8.00"),
    "duration_months": 12, "incentive_per_customer": Decimal("20.00"),
}


def make_campaign(author, **fields):
    return services.campaign_create(author=author, **{"name": "流量畅享", **SAFE, **fields})


def walk(campaign, *steps):
    """Move a campaign through (to_status, user[, reason]) steps. Before an approval the approver gives
    "acceptable" on every risk control still without an opinion in the round (an approval needs one on each:
    the tests of that rule call the service directly)."""
    for step in steps:
        to_status, user, *reason = step
        if to_status == CampaignStatus.APPROVED:
            accept_the_rest(campaign, user)
        campaign = services.campaign_transition(campaign=campaign, to_status=to_status, by=user,
                                                reason=reason[0] if reason else "")
    return campaign


def accept_the_rest(campaign, officer):
    given = set(campaign.opinions.filter(review_round=campaign.review_round).values_list("control", flat=True))
    rest = {c: ("acceptable", "") for c in RiskControl.values if c not in given}
    if rest and campaign.status == CampaignStatus.IN_REVIEW and user_role(officer) == "credit_officer":
        services.opinions_record(campaign=campaign, by=officer, opinions=rest)


def in_arrears(customer, owed: str):
    """A line of the customer with a line account in arrears, owing `owed`."""
    line = LineFactory(customer=customer)
    today = timezone.localdate()
    return LineAccount.objects.create(line=line, customer=customer, balance=-Decimal(owed), state="one_way_barred",
                                      state_since=today, arrears_since=today)


@pytest.fixture
def second_officer(org):
    from core.choices import Role
    from tests.conftest import make_staff

    return make_staff(Role.CREDIT_OFFICER)


@pytest.fixture(autouse=True)
def english(client):
    """The tests assert the rules' English messages (Chinese is the default; the catalogue is tested below)."""
    from django.conf import settings
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # pages: the language switch's cookie
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # API
    with translation.override("en"):
        yield
