"""Which SMS a barring move sends and the amount it names: the pure rule and its SQL twin on one scenario table."""

from decimal import Decimal

import pytest
from django.db import connection

from arrears.choices import BarringState as S
from arrears.policies import barring_sms
from arrears.sql.evaluation import barring_sms_sql

SCENARIOS = [  # from, to, usable, (event, amount)
    (S.ACTIVE, S.REMINDED, "19.99", ("low_credit", "19.99")),  # usable still positive: what is left, not arrears
    (S.ACTIVE, S.REMINDED, "0.00", ("low_credit", "0.00")),
    (S.ACTIVE, S.REMINDED, "-50.00", ("arrears_reminder", "50.00")),  # an exempt line below zero: what is owed
    (S.ACTIVE, S.ONE_WAY, "-13.49", ("barred", "13.49")),
    (S.REMINDED, S.ONE_WAY, "-0.01", ("barred", "0.01")),
    (S.ONE_WAY, S.TWO_WAY, "-80.00", ("barred", "80.00")),
    (S.ONE_WAY, S.ACTIVE, "25.00", ("restored", "0")),
    (S.TWO_WAY, S.REMINDED, "3.00", ("restored", "0")),  # paid back, service returns: restored, not a reminder
    (S.RETENTION, S.ACTIVE, "10.00", ("restored", "0")),
    (S.REMINDED, S.ACTIVE, "40.00", (None, "0")),  # a reminder lifted: the number was never barred, no SMS
    (S.TWO_WAY, S.RETENTION, "-80.00", (None, "0")),
]


@pytest.mark.parametrize("from_state, to_state, usable, expected", SCENARIOS)
def test_barring_sms_names_the_amount_that_matters(from_state, to_state, usable, expected):
    event, amount = barring_sms(from_state, to_state, Decimal(usable))
    assert (event, amount) == (expected[0], Decimal(expected[1]))


@pytest.mark.django_db
def test_the_sql_twin_gives_the_same_sms_for_every_scenario():
    event, amount = barring_sms_sql("m.from_state", "m.to_state", "m.usable")
    values = ", ".join(["(%s, %s, %s::numeric)"] * len(SCENARIOS))
    params = [p for f, t, u, _ in SCENARIOS for p in (f, t, u)]
    with connection.cursor() as cur:
        cur.execute(f"SELECT {event}, {amount} FROM (VALUES {values}) AS m(from_state, to_state, usable)", params)
        rows = cur.fetchall()
    assert [(e, Decimal(a)) for e, a in rows] == [(x[0], Decimal(x[1])) for *_, x in SCENARIOS]
