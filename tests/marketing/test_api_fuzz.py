"""The marketing operations fuzzed as the users who really write campaigns (marketing, a credit officer), on a
campaign that exists: the shared fuzz test calls as billing and an account manager, who mostly get 403/404."""

import pytest
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from core.choices import Role
from marketing.choices import CampaignStatus as S
from tests.conftest import make_staff
from tests.marketing.conftest import make_campaign, walk
from tests.security.test_api_fuzz import CHECKS, EXAMPLES, OPERATIONS, keep_test_connection  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]
MARKETING_OPERATIONS = [op for op in OPERATIONS if "/api/marketing/" in op.path]


@pytest.fixture(params=[Role.MARKETING, Role.CREDIT_OFFICER])
def caller(request, org):
    user = make_staff(request.param)
    campaign = make_campaign(user if request.param == Role.MARKETING else org.marketing,
                             segment={"region": [org.region_a.pk]})
    if request.param == Role.CREDIT_OFFICER:
        walk(campaign, (S.SUBMITTED, org.marketing), (S.IN_REVIEW, user))
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}, campaign.pk


def test_there_are_marketing_operations():
    assert len(MARKETING_OPERATIONS) >= 8


@pytest.mark.parametrize("operation", MARKETING_OPERATIONS, ids=lambda op: op.label)
def test_marketing_api_never_fails_for_its_writers(operation, caller):
    headers, pk = caller

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
              database=None)
    def fuzz(case):
        if case.path_parameters and "id" in case.path_parameters:
            case.path_parameters["id"] = pk
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()
