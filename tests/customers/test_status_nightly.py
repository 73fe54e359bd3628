"""Customer status is derived (issue 13, item 4): the paths that change a line keep the customer in step, and the
nightly job re-derives every customer's status from their lines, set-based, so a status left out of step by a change
made outside the product's services (a load, a restore, a repair in the database) is right by the next morning."""

from datetime import date

import pytest

from customers.models import Customer, Line
from customers.tasks import refresh_status_nightly
from core.models import BatchRun
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


def test_the_nightly_job_gives_every_customer_the_status_of_their_worst_open_line():
    barred = LineFactory(status="active")
    LineFactory(customer=barred.customer, status="active")
    gone = LineFactory(status="active")
    fine = LineFactory(status="active")
    # changed in the database behind the services' back: the customers are out of step
    Line.objects.filter(pk=barred.pk).update(status="two_way_barred")
    Line.objects.filter(pk=gone.pk).update(status="closed")
    assert set(Customer.objects.values_list("status", flat=True)) == {"active"}

    refresh_status_nightly("2026-11-24")
    status = dict(Customer.objects.values_list("pk", "status"))
    assert status[barred.customer_id] == "two_way_barred"  # the worse of its two lines
    assert status[gone.customer_id] == "closed"  # every line closed
    assert status[fine.customer_id] == "active"
    run = BatchRun.objects.get(kind="customers.status", period=str(date(2026, 11, 24)))
    assert run.status == "done" and run.rows_affected == 2

    refresh_status_nightly("2026-11-24")  # the same night again: applied once
    assert BatchRun.objects.filter(kind="customers.status").count() == 1
