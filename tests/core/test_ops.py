"""Operations: health probes, request ids, structured logs without personal data, metrics, token rotation."""

import json
import logging

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import BatchRun
from core.ops.logging import PersonalDataFilter, mask_personal_data

pytestmark = pytest.mark.django_db


def test_healthz_answers_anonymously(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_database_and_broker(client, settings):
    body = client.get("/readyz").json()
    assert body["status"] == "ok" and body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"


def test_readyz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"


def test_request_id_is_taken_from_the_caller_or_made(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="req-123")["X-Request-ID"] == "req-123"
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) >= 32 and made != client.get("/healthz")["X-Request-ID"]


@pytest.mark.parametrize("text, masked", [
    ("GET /api/credit-status/13812345678/", "GET /api/credit-status/138****5678/"),
    ("id 43010219900101123X refused", "id 4301**********123X refused"),
    ("order 2026112412345678901 ok", "order 2026112412345678901 ok"),  # 19 digits: neither
    ("amount 150.00", "amount 150.00"),
])
def test_personal_data_is_masked_in_log_text(text, masked):
    assert mask_personal_data(text) == masked


def test_log_filter_masks_message_arguments_and_request_path():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "looked up %s", ("13812345678",), None)
    record.path = "/api/credit-status/13912345678/"
    PersonalDataFilter().filter(record)
    assert record.getMessage() == "looked up 138****5678" and record.path == "/api/credit-status/139****5678/"


def test_log_filter_keeps_mapping_arguments_formattable():
    record = logging.LogRecord("celery", logging.INFO, __file__, 1, "task %(id)s for %(who)s",
                               ({"id": "abc", "who": "13812345678"},), None)
    PersonalDataFilter().filter(record)
    assert record.getMessage() == "task abc for 138****5678"


def test_every_request_logs_one_structured_line_with_the_request_id(client, caplog, org):
    client.force_login(org.am1)
    with caplog.at_level(logging.INFO, logger="crm.request"):
        client.get(reverse("customers:list"), HTTP_X_REQUEST_ID="trace-1")
    [record] = [r for r in caplog.records if r.name == "crm.request"]
    assert (record.method, record.path, record.status, record.user_id) == ("GET", "/customers/", 200, org.am1.pk)
    assert record.duration_ms >= 0


def test_console_handler_writes_json_with_request_id_and_no_personal_data(capfd):
    from django.conf import settings
    from django.utils.module_loading import import_string

    config = settings.LOGGING
    handler = logging.StreamHandler()
    formatter_conf = dict(config["formatters"]["json"])
    formatter_conf["fmt"] = formatter_conf.pop("format")  # as logging.config does for a "()" factory
    handler.setFormatter(import_string(formatter_conf.pop("()"))(**formatter_conf))
    for name in config["handlers"]["console"]["filters"]:
        filter_conf = config["filters"][name]
        handler.addFilter(import_string(filter_conf["()"])())
    logger = logging.getLogger("test.json")
    logger.addHandler(handler)
    try:
        logger.warning("payment for %s", "13812345678")
    finally:
        logger.removeHandler(handler)
    line = json.loads(capfd.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "payment for 138****5678" and line["level"] == "WARNING"
    assert "request_id" in line and "time" in line


def test_metrics_expose_requests_and_batch_runs(client):
    BatchRun.objects.create(kind="credit.base", period="2026-11", status="running", total_chunks=4, done_chunks=1)
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert "django_http_requests_total_by_method_total" in text
    assert 'crm_batch_runs{kind="credit.base",status="running"} 1.0' in text
    assert 'crm_batch_chunks_pending{kind="credit.base"} 3.0' in text


def test_metrics_are_served_only_to_allowed_addresses(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.METRICS_ALLOWED_IPS = ["203.0.113.9"]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 200
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16"]  # networks too
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.3.4").status_code == 403


def test_behind_a_proxy_loopback_is_not_trusted_unless_the_proxy_is(client, settings):
    # the proxy on the same host forwards an outsider's request: REMOTE_ADDR is the proxy's loopback
    outsider = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client.get("/metrics", **outsider).status_code == 403
    settings.METRICS_TRUST_PROXY = True  # then the address the proxy saw counts
    assert client.get("/metrics", **outsider).status_code == 403
    settings.METRICS_ALLOWED_IPS = ["198.51.100.0/24"]
    assert client.get("/metrics", **outsider).status_code == 200
    # only the proxy's own (last) entry counts: a client cannot name itself allowed
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                      HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.66").status_code == 403


def test_metrics_with_the_bearer_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    far = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "203.0.113.10"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **far).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **far).status_code == 200
    settings.METRICS_TOKEN = ""  # no token configured: no bearer is accepted, not even an empty one
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", **far).status_code == 403


def test_token_rotation_by_command_and_api(org, capsys):
    old = Token.objects.create(user=org.billing_service)
    call_command("rotate_token", org.billing_service.username)
    new_key = capsys.readouterr().out.strip()
    assert new_key != old.key and Token.objects.get(user=org.billing_service).key == new_key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old.key}")
    assert api.get("/api/customers/").status_code == 401  # the old key stopped working
    api.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    rotated = api.post(reverse("api-token-rotate")).json()["token"]
    assert rotated != new_key
    assert api.get("/api/customers/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {rotated}")
    assert api.get("/api/customers/").status_code == 200


@pytest.mark.parametrize("how", ["json", "form", "query"])
def test_api_input_with_a_nul_character_is_a_400_not_a_database_error(org, how):
    api = APIClient()
    api.force_authenticate(org.admin)
    if how == "json":
        response = api.post("/api/customers/", {"name": "a\x00b"}, format="json")
    elif how == "form":  # the fuzzer's find: a form-encoded NUL in a looked-up region code
        response = api.post("/api/customers/", "region=%00x&name=a", content_type="application/x-www-form-urlencoded")
    else:
        response = api.get("/api/customers/?q=a%00b")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "null_character"
