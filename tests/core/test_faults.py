"""Faults: the database drops connections (a restart), Redis is down. No mocks: real dead sockets and
a real terminated server connection."""

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from config.celery import app
from core import batches
from core.models import BatchRun
from core.tasks import BrokerUnavailable, dispatch_run
from customers.models import Customer

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def terminate_own_connection():
    """What a PostgreSQL restart does to every open connection, done to this test's connection only."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k in {"host", "port", "user", "password"}},
                         dbname="postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_answers_503_and_a_retry_succeeds(client, org):
    token = Token.objects.create(user=org.billing_service).key
    before = Customer.objects.count()
    terminate_own_connection()
    try:
        response = client.get("/api/customers/", HTTP_AUTHORIZATION=f"Token {token}")
    finally:
        connection.close()  # the next request opens a new connection, as conn_health_checks does in the server
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "database_unavailable"
    retry = client.get("/api/customers/", HTTP_AUTHORIZATION=f"Token {token}")
    assert retry.status_code == 200 and Customer.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_a_page_during_a_database_outage_is_503_not_500(client, org):
    client.force_login(org.am1)
    terminate_own_connection()
    try:
        response = client.get(reverse("customers:list"))
    finally:
        connection.close()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert client.get(reverse("customers:list")).status_code == 200


@pytest.mark.django_db
def test_pages_keep_working_while_redis_is_down(client, org, settings):
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": DEAD_REDIS,
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    cache = caches["default"]  # Django rebuilds the cache handlers when CACHES changes
    assert cache._servers == [DEAD_REDIS] and cache.get("anything") is None and cache.set("k", 1) is None
    client.force_login(org.credit_officer)
    assert client.get(reverse("dashboard")).status_code == 200  # the dashboard's cache misses, it still renders


def _new_broker_connections():
    """Drop the app's cached connection and producer pools, so the broker URL in force is used (as after a fork)."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db
def test_a_batch_waits_for_the_broker_and_says_so(org):
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = DEAD_REDIS, False
    _new_broker_connections()
    try:
        with pytest.raises(BrokerUnavailable, match="broker is unreachable"):
            dispatch_run("customers.refresh_spend", "broker-down")
        with pytest.raises(CommandError, match="Dispatch the same run again"):
            call_command("refresh_spend")
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous
        _new_broker_connections()
    run = BatchRun.objects.get(kind="customers.refresh_spend", period="broker-down")
    assert run.status == "running" and batches.pending_chunk_ids(run)  # planned, nothing lost
    resumed = dispatch_run("customers.refresh_spend", "broker-down")  # broker back (eager here): it finishes
    resumed.refresh_from_db()
    assert resumed.pk == run.pk and resumed.status == "done"
    assert django_settings.CELERY_TASK_ACKS_LATE
