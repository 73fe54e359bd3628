from datetime import date

import pytest

from retention.evaluation import auc, score_outcome_counts
from tests.factories import CustomerFactory, LineFactory
from tests.retention.conftest import FALLING_3, HOTLINE_RISING_3, with_history


def test_auc_perfect_random_and_ties():
    assert auc([(80, True, 3), (10, False, 5)]) == 1.0
    assert auc([(80, False, 3), (10, True, 5)]) == 0.0
    assert auc([(50, True, 2), (50, False, 2)]) == 0.5
    assert auc([(50, False, 2)]) is None


@pytest.mark.django_db
def test_counts_score_customers_open_on_the_date_and_their_next_month():
    churner = with_history(spend=FALLING_3, hotline=HOTLINE_RISING_3)
    churner.lines.update(closed_on=date(2026, 11, 10))
    with_history()  # stays
    gone = CustomerFactory()
    LineFactory(customer=gone, closed_on=date(2026, 5, 1))  # closed before: not counted
    ids = sorted([churner.pk, gone.pk])
    counts = score_outcome_counts(ids[0] - 5, ids[-1] + 5, date(2026, 11, 1))
    assert sorted(counts) == [(0, False, 1), (65, True, 1)]
