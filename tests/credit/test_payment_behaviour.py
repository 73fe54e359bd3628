"""Payment behaviour factors as the spec means them (#13; DOMAIN §4 Models: "payment behaviour (late payments,
arrears days in 12 months)"): a late payment is a bill paid after its due date, counted in the window whether it
has been paid since or not; arrears days are the days of the window on which the customer had a bill past due and
unpaid, each day once. Bills and payments come in through billing's API; the base and guidance runs rate; the
rating and the 360 page show the figures.
"""

import re
import uuid
from datetime import date

import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.tasks import dispatch_run
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.choices import Feature
from credit.models import Rating
from tests.credit.test_batches import good_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return client


def _post(billing, url, body):
    response = billing.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 201, response.json()


def bill(billing, line, period: str, due: str, amount="100.00"):
    _post(billing, "/api/billing/bills/", {"msisdn": line.msisdn, "period": period[:7], "amount": amount,
                                           "due_date": due})


def pay(billing, line, day: str, amount="100.00"):
    _post(billing, "/api/billing/payments/", {"msisdn": line.msisdn, "amount": amount, "channel": "counter",
                                              "paid_at": f"{day}T10:00:00+08:00", "reference": uuid.uuid4().hex})


def base_rating(customer) -> Rating:
    return Rating.objects.get(customer=customer, kind="base")


def test_a_bill_paid_late_stays_a_late_payment_after_it_is_paid(client, org, billing):
    """Two twins billed the same three months (due the 20th of the next month); one pays each bill on the 18th,
    the other the August bill on 5 October (15 days late). Both have paid everything when rated on 1 November."""
    punctual, late = good_customer(), good_customer()
    for customer, august_paid in ((punctual, "2026-09-18"), (late, "2026-10-05")):
        line = customer.lines.get()
        bill(billing, line, "2026-07-01", "2026-08-20")
        pay(billing, line, "2026-08-18")
        bill(billing, line, "2026-08-01", "2026-09-20")
        bill(billing, line, "2026-09-01", "2026-10-20")
        pay(billing, line, august_paid)
        pay(billing, line, "2026-10-18")
    assert not late.bills.filter(paid_amount__lt=100).exists()  # nothing is owed any more

    dispatch_run(BASE_KIND, "2026-11")
    good, bad = base_rating(punctual), base_rating(late)
    assert (good.factor_values["late_bills_12m"], good.factor_values["arrears_days_12m"]) == (0, 0)
    assert (bad.factor_values["late_bills_12m"], bad.factor_values["arrears_days_12m"]) == (1, 15)
    assert bad.score < good.score

    client.force_login(org.credit_officer)  # "why this star" shows the late payment
    with translation.override("zh-hans"):
        label = str(Feature.LATE_BILLS_12M.label)
        page = client.get(f"/customers/{late.pk}/").content.decode()
    why = page[page.index('id="why-this-star"'):page.index('id="rating-history"')]
    assert re.search(rf"<td>{re.escape(label)}</td><td>1</td>", why)


def test_a_bill_paid_on_its_due_date_or_from_credit_paid_ahead_is_on_time(billing):
    on_due_date, ahead = good_customer(), good_customer()
    bill(billing, on_due_date.lines.get(), "2026-09-01", "2026-10-20")
    pay(billing, on_due_date.lines.get(), "2026-10-20")
    pay(billing, ahead.lines.get(), "2026-08-01", "300.00")  # a balance the bills draw on
    for month in ("2026-08", "2026-09"):
        bill(billing, ahead.lines.get(), f"{month}-01", f"{month[:5]}{int(month[5:]) + 1:02d}-20")

    dispatch_run(BASE_KIND, "2026-11")
    for customer in (on_due_date, ahead):
        rating = base_rating(customer)
        assert (rating.factor_values["late_bills_12m"], rating.factor_values["arrears_days_12m"]) == (0, 0)


def test_arrears_days_count_each_day_of_the_twelve_months_once(billing):
    """Eighteen monthly bills never paid: before, each unpaid bill added its days since due (thousands of
    "days in 12 months"); now the customer was in arrears on every day of the window, and no more."""
    debtor, overlapping = good_customer(), good_customer()
    line = debtor.lines.get()
    for i in range(18):  # periods 2025-05 .. 2026-10, due the 20th of the next month
        year, month = divmod(2025 * 12 + 4 + i, 12)
        due_year, due_month = divmod(2025 * 12 + 5 + i, 12)
        bill(billing, line, f"{year}-{month + 1:02d}-01", f"{due_year}-{due_month + 1:02d}-20")
    # two bills overdue at the same time, both paid on 10 October: 20 Aug - 10 Oct is 51 days, counted once
    other = overlapping.lines.get()
    bill(billing, other, "2026-07-01", "2026-08-20")
    bill(billing, other, "2026-08-01", "2026-09-20")
    pay(billing, other, "2026-10-10", "200.00")

    dispatch_run(BASE_KIND, "2026-12")  # window: 2 Dec 2025 .. 1 Dec 2026
    values = base_rating(debtor).factor_values
    assert values["arrears_days_12m"] == (date(2026, 12, 1) - date(2025, 12, 1)).days == 365
    assert values["late_bills_12m"] == 12  # due 20 Dec 2025 .. 20 Nov 2026: the twelve inside the window
    values = base_rating(overlapping).factor_values
    assert (values["late_bills_12m"], values["arrears_days_12m"]) == (2, (date(2026, 10, 10) - date(2026, 8, 20)).days)


def test_a_late_payment_older_than_the_window_is_forgotten(billing):
    old = good_customer()
    bill(billing, old.lines.get(), "2025-09-01", "2025-10-20")
    pay(billing, old.lines.get(), "2025-12-20")  # 61 days late, a year before the rating
    dispatch_run(BASE_KIND, "2026-12")  # window from 2 Dec 2025: 19 and 20 December are still inside
    values = base_rating(old).factor_values
    assert (values["late_bills_12m"], values["arrears_days_12m"]) == (0, 19)


def test_guidance_steps_a_star_down_for_a_month_late_even_once_paid(billing):
    """Rated by the base run, then a bill paid 35 days late: the half-yearly guidance of 2027-H1 moves the star
    down (30+ days in arrears in 6 months), though nothing is owed when it runs."""
    customer = good_customer()
    line = customer.lines.get()
    dispatch_run(BASE_KIND, "2026-08")
    customer.refresh_from_db()
    star = customer.credit_star
    assert star >= 1
    bill(billing, line, "2026-08-01", "2026-09-20")
    pay(billing, line, "2026-10-25")  # 35 days late
    dispatch_run(GUIDANCE_KIND, "2027-H1")  # window from 2 Jul 2026
    customer.refresh_from_db()
    rating = Rating.objects.get(customer=customer, kind="guidance")
    assert (rating.factor_values["late_bills_6m"], rating.factor_values["arrears_days_6m"]) == (1, 35)
    assert (rating.rule, rating.new_star, customer.credit_star) == ("down_star", star - 1, star - 1)
