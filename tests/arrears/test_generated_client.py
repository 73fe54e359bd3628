"""A client generated from the OpenAPI schema (datamodel-code-generator: pydantic models) posts a bill, a payment
and usage through a live server on loopback, and reads the answers and an error with the same models (issue 20:
a schema a generated client can trust — YYYY-MM months, money patterns, the one error shape)."""

import importlib.util
import json
import subprocess
import sys
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from credit.services import legacy_grade_import
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def client_models(tmp_path_factory):
    """Generate the pydantic models of the schema's components with datamodel-codegen, and import them."""
    folder = tmp_path_factory.mktemp("client")
    schema = folder / "openapi.json"
    schema.write_text(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    module = folder / "crm_client.py"
    subprocess.run([str(Path(sys.executable).with_name("datamodel-codegen")), "--input", str(schema),
                    "--input-file-type", "openapi", "--output", str(module),
                    "--output-model-type", "pydantic_v2.BaseModel", "--field-constraints",
                    # money travels as text: keep it a string checked by the schema's pattern, not a Decimal
                    "--type-mappings", "string+decimal=string"], check=True, timeout=120)
    spec = importlib.util.spec_from_file_location("crm_client", module)
    models = importlib.util.module_from_spec(spec)
    sys.modules["crm_client"] = models  # pydantic resolves the models' references through the module
    spec.loader.exec_module(models)
    yield models
    sys.modules.pop("crm_client", None)


def test_a_generated_client_posts_a_bill_a_payment_and_usage(live_server, org, client_models):
    m = client_models
    line = LineFactory(customer=CustomerFactory())
    legacy_grade_import(customer=line.customer, grade="A")  # 3★: limit 50.00
    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.create(user=org.billing_service).key}"
    today = timezone.localdate()
    month = f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"

    def post(path, body):
        return session.post(live_server.url + path, data=body.model_dump_json(exclude_none=True), timeout=30,
                            headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})

    usage = m.UsageInRequest(msisdn=line.msisdn, month=month, voice_minutes=120, data_mb=2048, sms_count=4,
                             plan_saturation="62.50", bill_amount="80.00", prepaid_balance="0.00")
    answer = post("/api/billing/usage/", usage)
    assert answer.status_code == 201, answer.text
    assert m.UsageResult.model_validate(answer.json()).state == "active"

    bill = m.BillInRequest(msisdn=line.msisdn, period=month, amount="80.00",
                           due_date=f"{today + timedelta(days=5):%Y-%m-%d}")
    answer = post("/api/billing/bills/", bill)
    assert answer.status_code == 201, answer.text
    posted = m.PostingResult.model_validate(answer.json())
    assert (Decimal(posted.usable_credit), posted.state, posted.applied) == (Decimal("-30.00"), "one_way_barred",
                                                                             True)

    payment = m.PaymentInRequest(msisdn=line.msisdn, amount="30.00", paid_at=timezone.now(), channel="app",
                                 reference=uuid.uuid4().hex)
    answer = post("/api/billing/payments/", payment)
    assert answer.status_code == 201, answer.text
    paid = m.PostingResult.model_validate(answer.json())
    assert (paid.state, paid.restored, paid.rule) == ("active", True, "paid_back")

    # the models refuse what the server refuses: no empty or signed bill amount, no day for a month
    for bad in ({"amount": ""}, {"amount": "-1.00"}, {"period": f"{today:%Y-%m-%d}"}):
        with pytest.raises(ValueError):
            m.BillInRequest(**{**bill.model_dump(), **bad})
    # and an error the server answers reads with the error model
    unknown = post("/api/billing/payments/", m.PaymentInRequest(**{**payment.model_dump(), "msisdn": "13999999999",
                                                                   "reference": uuid.uuid4().hex}))
    assert unknown.status_code == 404
    error = m.Error.model_validate(unknown.json())
    assert "No line" in error.detail and error.errors[0].field == "msisdn"
