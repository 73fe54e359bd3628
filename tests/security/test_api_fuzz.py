"""API fuzzing with schemathesis against the app's own OpenAPI schema, in-process (WSGI) on the test database.

Authenticated as the billing service account and as an account manager: no response may be a 5xx,
and every documented response must match its schema. Bounded: FUZZ_EXAMPLES examples per operation
and caller (default 15), so the run fits CI. (Operations are parametrized here rather than through
schemathesis' pytest plugin, whose lazy loader does not support pytest 9 yet.)
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from config.wsgi import application
from core.choices import Role
from tests.conftest import make_staff
from tests.factories import CustomerFactory, LineFactory

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 15))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

SCHEMA = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
SCHEMA.app = application  # calls go to the WSGI app in-process, on the test database
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(autouse=True)
def keep_test_connection():
    """As Django's test client does: the WSGI handler must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=[Role.BILLING_SERVICE, Role.ACCOUNT_MANAGER])
def caller(request, db):
    user = make_staff(request.param)
    for _ in range(3):  # something to find: customers with lines (in the manager's book)
        LineFactory(customer=CustomerFactory(account_manager=user if request.param == Role.ACCOUNT_MANAGER
                                             else None))
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def test_the_schema_has_operations():
    assert len(OPERATIONS) >= 10


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_api_never_fails_and_matches_its_schema(operation, caller):
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
              database=None)
    def fuzz(case):
        case.call_and_validate(headers=caller, checks=CHECKS)

    fuzz()
