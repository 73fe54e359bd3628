"""The schema's promises (issue 20): every operation documents its errors with the one error shape, months are
YYYY-MM patterns, decimals refuse "", "-" and (where not allowed) negatives, null is declared where returned,
JSON-only bodies; and every error under /api/ is a JSON body, framework errors included."""

import re

import pytest
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from core.api import errors

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [(path, method, op) for path, ops in SCHEMA["paths"].items() for method, op in ops.items()
              if method in {"get", "post", "put", "patch", "delete"}]


def _resolve(schema):
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_operation_documents_its_errors_with_the_error_shape():
    for path, method, op in OPERATIONS:
        wanted = {"401", "403"} | ({"400", "404", "413"} if "requestBody" in op else set()) | (
            {"404"} if "{" in path else set())
        assert wanted <= set(op["responses"]), f"{method.upper()} {path}: {sorted(op['responses'])}"
        for code in op["responses"]:
            if code.startswith(("4", "5")):
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (path, code)
    idempotent = [(p, m) for p, m, op in OPERATIONS if any(x["name"] == "Idempotency-Key" for x in
                                                           op.get("parameters", []))]
    assert idempotent and all("409" in SCHEMA["paths"][p][m]["responses"] for p, m in idempotent)


def test_request_bodies_are_json_only():
    for path, method, op in OPERATIONS:
        if "requestBody" in op:
            assert list(op["requestBody"]["content"]) == ["application/json"], f"{method.upper()} {path}"


def _walk(schema, path=""):
    if isinstance(schema, dict):
        yield path, schema
        for key, value in schema.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _walk(value, f"{path}[{i}]")


def test_months_are_patterns_and_decimals_need_digits():
    for where, schema in _walk(SCHEMA["components"]["schemas"]):
        name = where.rsplit("/", 1)[-1]
        if name in {"month", "period"} and "type" in schema and "RatingRun" not in where:  # a month or a half-year
            assert schema.get("format") != "date" and schema["pattern"] == r"^([0-9]{4})-(0[1-9]|1[0-2])$", where
        if schema.get("format") == "decimal":
            pattern = re.compile(schema["pattern"])
            assert not pattern.match("") and not pattern.match("-") and not pattern.match("."), where
            assert pattern.match("0.00") or pattern.match("0.0"), where
    bill = _resolve({"$ref": "#/components/schemas/BillInRequest"})["properties"]["amount"]
    assert not re.match(bill["pattern"], "-1.00") and re.match(bill["pattern"], "88.00")
    balance = _resolve({"$ref": "#/components/schemas/PostingResult"})["properties"]["balance"]
    assert re.match(balance["pattern"], "-20.00")  # a balance can be negative


def test_null_is_declared_where_it_is_returned():
    account = _resolve({"$ref": "#/components/schemas/EnterpriseAccount"})["properties"]
    task = _resolve({"$ref": "#/components/schemas/Task"})["properties"]
    assert account["service_manager"].get("nullable") and task["completed_by"].get("nullable")


@pytest.fixture
def billing(org, client):
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=org.billing_service).key}"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/customers/1.5/", "/api/lines/1.2.3/", "/api/nowhere/"])
def test_a_malformed_id_or_unknown_address_is_a_json_404(client, billing, url):
    response = client.get(url, **billing)
    assert response.status_code == 404 and response.json()["detail"]


@pytest.mark.django_db
def test_too_many_fields_and_too_large_bodies_are_json(client, billing, settings):
    query = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.get(f"/api/customers/?{query}", **billing)
    assert response.status_code == 400 and response.json()["code"] == "too_many_fields"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/billing/payments/", data='{"msisdn": "' + "1" * 2000 + '"}',
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="k" * 10, **billing)
    assert response.status_code == 413 and response.json()["code"] == "too_large"


@pytest.mark.django_db
def test_a_form_body_is_refused_as_json(client, billing):
    response = client.post("/api/billing/payments/", data={"msisdn": "13800000000"}, HTTP_IDEMPOTENCY_KEY="k" * 10,
                           **billing)
    assert response.status_code == 415 and response.json()["detail"]


def test_the_500_handler_answers_json_under_the_api():
    response = errors.server_error(RequestFactory().get("/api/billing/events/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
