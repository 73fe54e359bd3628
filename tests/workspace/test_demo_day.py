"""A demo that looks lived in (issue 18 item 7): after a small `setup_demo` every role's home and the pages it
links to have data, made by the product's own jobs (the last month replayed night by night, the interval jobs
once a night: the SMS outbox sent) and by the demo staff acting through the services (exemptions, emergency
passes, a four-eyes limit request waiting, promises to pay, callbacks and tasks due for am_demo, a blacklist
entry being paid off). The generator's own output stays inputs only: tests/customers/test_generator.py."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arrears.choices import CollectionStatus
from arrears.models import CollectionCase, EmergencyPass, Exemption
from config.celery import app as celery_app
from core.models import BatchRun
from credit.choices import FourEyesStatus, SmsStatus
from credit.models import FourEyesRequest, SmsMessage, StarSnapshot
from customers.models import BlacklistEntry
from tests.worker_kill import reseed_defaults

MONTHS = 2


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    with django_db_blocker.unblock():
        reseed_defaults()
        call_command("setup_demo", customers=300, months=MONTHS, seed=11, stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
        call_command("flush", interactive=False)
        reseed_defaults()
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def db_access(province, django_db_blocker):
    with django_db_blocker.unblock():
        yield


def home_lists(username: str) -> dict:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return {key: found.rows for key, found in response.context["home_lists"].items()}


def test_the_last_month_is_replayed_night_by_night_and_the_outbox_is_sent(db_access):
    today = timezone.localdate()
    days = set(StarSnapshot.objects.values_list("taken_on", flat=True))
    last_month = {today - timedelta(days=n) for n in range(30)}
    assert last_month <= days, sorted(last_month - days)
    nightly = dict(BatchRun.objects.filter(kind="arrears.evaluate").values_list("period").annotate(n=Count("id")))
    assert {d.isoformat() for d in last_month} <= set(nightly)
    sent = SmsMessage.objects.filter(status=SmsStatus.SENT).count()
    assert sent > 0
    # what the staff's actions queued today went out too (eager: the after-commit dispatch), nothing is stuck
    assert SmsMessage.objects.filter(status=SmsStatus.QUEUED).count() < sent


def test_the_staff_acted_through_the_services(db_access):
    assert Exemption.objects.filter(granted_by__username="credit_demo").exists()
    assert EmergencyPass.objects.filter(granted_by__username="collections_demo").exists()
    promised = CollectionCase.objects.filter(status=CollectionStatus.PROMISED, worked_by__username="collections_demo")
    assert promised.exists() and all(c.promised_on and c.promised_amount > 0 for c in promised)
    waiting = FourEyesRequest.objects.get(status=FourEyesStatus.PENDING)
    assert waiting.requested_by.username == "credit2_demo"
    entry = BlacklistEntry.objects.get(added_by__username="credit_demo")
    assert 0 < entry.amount_paid < entry.amount_owed and entry.cleared_at is None


def test_every_role_home_has_the_day_s_work(db_access):
    today = timezone.localdate()
    am = home_lists("am_demo")
    assert am["callbacks"] and all(c.due_on <= today for c in am["callbacks"])
    assert am["tasks"] and all(t.assigned_to.username == "am_demo" and t.due_date <= today for t in am["tasks"])
    lead = home_lists("lead_demo")
    assert lead["callbacks"] and lead["tasks"]
    credit = home_lists("credit_demo")
    assert [r.requested_by.username for r in credit["four_eyes"]] == ["credit2_demo"]
    assert credit["blacklist"]
    collections = home_lists("collections_demo")
    assert collections["queue_amount"] and collections["queue_age"]
    assert any(a.line.collection_case.status == CollectionStatus.PROMISED for a in collections["queue_amount"]
               if hasattr(a.line, "collection_case"))
    for username in ("region_demo", "marketing_demo", "admin_demo"):
        assert any(home_lists(username).values()), username
