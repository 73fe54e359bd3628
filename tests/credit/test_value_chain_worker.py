"""The night of 1 July through a real Celery worker on the real broker (#16 item 6): the four jobs of the 1st sent
at once, the clock no longer between them (a slow night, an outage caught up), and the tasks themselves keep the
order value → deciles → base rating → guidance: the guidance re-rating reads this night's deciles (of May, the
latest month whose bills are complete), never an older month's nor none. Machinery: tests/worker_kill.py, the
worker's own sends to the test's queue: tests/worker_own_queue.py."""

import time

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears.tasks import customer_value_deciles_monthly, customer_value_monthly
from arrears.value import DECILE_KIND, VALUE_KIND
from core.choices import BatchStatus
from core.models import BatchRun
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.models import Rating
from credit.tasks import rate_base_monthly, rate_guidance_half_yearly
from tests import worker_own_queue
from tests.credit.test_batches import good_customer
from tests.credit.test_guidance_value import billed_on_time
from tests.factories import LineFactory
from tests.worker_kill import reseed_defaults

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

NIGHT = "2026-07-01"
VALUED = ("2026-03", "2026-04", "2026-05")  # May: the latest month whose bills are in on the night of 1 July


def _done(kind: str, period: str) -> BatchRun | None:
    return BatchRun.objects.filter(kind=kind, period=period, status=BatchStatus.DONE).first()


def test_the_guidance_of_the_1st_reads_this_night_s_deciles_through_a_real_worker(queue, workers, org):
    reseed_defaults()  # the scoring model and policies a transactional test before may have flushed
    billing = APIClient()
    billing.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    rich, poor = good_customer(), good_customer()
    billed_on_time(billing, rich.lines.get(), VALUED, {})
    billed_on_time(billing, poor.lines.get(), VALUED, {"handset_subsidy": "150.00"})  # −50.00 a month
    for i in range(1, 9):
        billed_on_time(billing, LineFactory().customer.lines.get(), VALUED, {"commission": f"{10 * i}.00"})

    worker = workers("night", "", include=(worker_own_queue.__name__,),
                     env={worker_own_queue.QUEUE_ENV: queue, worker_own_queue.WAIT_ENV: "1"})
    for task in (customer_value_monthly, customer_value_deciles_monthly, rate_base_monthly,
                 rate_guidance_half_yearly):  # in the beat's order, all at once
        task.apply_async(kwargs={"day": NIGHT})

    deadline = time.monotonic() + 120
    while _done(GUIDANCE_KIND, "2026-H2") is None or _done(BASE_KIND, "2026-07") is None:
        assert time.monotonic() < deadline, worker.log()
        time.sleep(0.2)
    value, deciles = _done(VALUE_KIND, "2026-05"), _done(DECILE_KIND, "2026-05")
    base, guidance = _done(BASE_KIND, "2026-07"), _done(GUIDANCE_KIND, "2026-H2")
    assert value and deciles and base, worker.log()
    assert "Retry in 1s" in worker.log_path.read_text()  # the later jobs came too early and waited, as designed
    assert value.finished_at <= deciles.started_at and deciles.finished_at <= base.started_at
    assert deciles.finished_at <= guidance.started_at
    assert base.finished_at <= guidance.started_at  # it re-rates what the base run rated: it waited for it
    assert not BatchRun.objects.filter(kind__in=(VALUE_KIND, DECILE_KIND)).exclude(period="2026-05").exists()

    rated = {r.customer_id: r for r in Rating.objects.filter(run=base)}
    assert rated[rich.pk].factor_values["value_decile"] == 1 and rated[poor.pk].factor_values["value_decile"] == 10
    up = Rating.objects.get(run=guidance, customer=rich)  # rated by the base run at 02:00, re-rated at 03:00
    assert up.rule == "high_value" and up.factor_values["value_decile"] == 1, worker.log()
    assert not Rating.objects.filter(run=guidance, customer=poor, rule="high_value").exists()
    assert {r.factor_values["value_month"] for r in Rating.objects.filter(run__in=(base, guidance))} == {"2026-05-01"}
