from datetime import date

import pytest
from django.core.management import CommandError, call_command

from retention import learned
from retention.models import LearnedModel
from tests.retention.conftest import with_history

pytestmark = pytest.mark.django_db

TRAIN, VALIDATE = date(2026, 9, 1), date(2026, 10, 1)
# Usage Nov 2025 … Oct 2026; spend falls from June on, so the signal is there as of both Sep 1 and Oct 1.
FALLING = [100] * 6 + [95, 90, 80, 70, 60, 50]
HOTLINE = [0] * 6 + [1, 1, 1, 1, 1, 1]


def _province(churner_kwargs, stayer_kwargs, n_churn=8, n_stay=16):
    """Churners closing in September (seen in training) and others in October (validation only)."""
    for month in (TRAIN, VALIDATE):
        for _ in range(n_churn):
            with_history(**churner_kwargs).lines.update(closed_on=month.replace(day=12))
    for i in range(n_stay):
        with_history(**stayer_kwargs(i))


def _saturated_churners():
    """Churners run at their plan's limit: a sign the weighted score does not use (its AUC is 0.5)."""
    _province({"saturation": [99] * 12}, lambda i: {"saturation": [30 + 3 * i] * 12})


def test_learned_model_beats_the_weighted_one_on_a_later_month_and_is_stored():
    _saturated_churners()
    report = learned.learned_model_train(TRAIN, VALIDATE)
    assert report.train_churned == 8 and report.validation_churned == 8  # September's churners gone by Oct 1
    assert report.validation_auc["weighted"] == 0.5
    assert report.validation_auc[report.chosen] > 0.8
    assert 0 < report.alert_probability < 1
    row = LearnedModel.objects.get()
    assert row.active and row.kind == report.chosen and row.learned_auc > 0.8 and row.weighted_auc == 0.5
    assert row.feature_names == learned.FEATURE_NAMES and learned.active_model() == row
    risky = with_history(saturation=[99] * 12)
    calm = with_history(saturation=[35] * 12)
    scores = learned.learned_model_score([risky.pk, calm.pk], as_of=VALIDATE)
    assert scores[risky.pk] > scores[calm.pk]


def test_learned_model_is_not_stored_when_the_weighted_score_is_as_good():
    _province({"spend": FALLING, "hotline": HOTLINE}, lambda i: {"saturation": [30 + 3 * i] * 12})
    report = learned.learned_model_train(TRAIN, VALIDATE)
    assert report.validation_auc["weighted"] == 1.0  # a learned model cannot beat perfect
    assert report.stored is None and not LearnedModel.objects.exists()
    assert learned.active_model() is None and learned.learned_model_score([1, 2]) == {}


def test_a_new_winner_replaces_the_active_model(capsys):
    _saturated_churners()
    call_command("train_retention", "--train-as-of", "2026-09-01", "--validate-as-of", "2026-10-01")
    out = capsys.readouterr().out
    assert "weighted model AUC: 0.500" in out and "used: learned model" in out and "timings:" in out
    call_command("train_retention", "--train-as-of", "2026-09-01", "--validate-as-of", "2026-10-01", "--dry-run")
    assert "not stored (--dry-run)" in capsys.readouterr().out
    learned.learned_model_train(TRAIN, VALIDATE)
    assert list(LearnedModel.objects.values_list("version", "active")) == [(2, True), (1, False)]


@pytest.mark.parametrize("train, validate, message", [
    ("2026-13-01", "2026-10-01", "Bad date for --train-as-of"),
    ("2026-09-01", "01/10/2026", "Bad date for --validate-as-of"),
    ("2026-10-01", "2026-09-01", "must be a later month"),
    ("2026-09-01", "2026-09-01", "must be a later month"),
    ("2026-09-15", "2026-10-01", "is not the 1st of a month"),
    ("2026-09-01", "2099-01-01", "is not over yet"),
])
def test_command_refuses_bad_dates(train, validate, message):
    with pytest.raises(CommandError, match=message):
        call_command("train_retention", "--train-as-of", train, "--validate-as-of", validate)
    assert not LearnedModel.objects.exists()


def test_command_refuses_a_month_without_churners():
    with_history()
    with pytest.raises(CommandError, match="too few churned"):
        call_command("train_retention", "--train-as-of", "2026-09-01", "--validate-as-of", "2026-10-01")


def test_the_nightly_scan_alerts_by_the_active_learned_model():
    """The model learned that saturated customers leave (the weighted score cannot see it): the scan alerts them."""
    from retention.batches import scan_chunk
    from retention.models import ChurnScore, RetentionAlert
    from tests.retention.conftest import SCAN_DAY

    _saturated_churners()
    report = learned.learned_model_train(TRAIN, VALIDATE, alert_threshold=1)
    row = LearnedModel.objects.get()
    assert row.alert_probability == pytest.approx(report.alert_probability)
    risky, calm = with_history(saturation=[99] * 12), with_history(saturation=[35] * 12)
    probabilities = learned.learned_model_score([risky.pk, calm.pk], as_of=SCAN_DAY)
    assert probabilities[risky.pk] >= row.alert_probability > probabilities[calm.pk]

    opened = scan_chunk(min(risky.pk, calm.pk), max(risky.pk, calm.pk) + 1, SCAN_DAY)

    assert opened == 1
    alert = RetentionAlert.objects.get()
    assert alert.customer_id == risky.pk and alert.scored_by == row.label
    assert alert.probability == pytest.approx(probabilities[risky.pk], abs=1e-4)
    assert ChurnScore.objects.get(customer=risky).probability == pytest.approx(alert.probability)
    assert scan_chunk(risky.pk, risky.pk + 1, SCAN_DAY) == 0  # the same night: no duplicate


def test_matching_threshold_opens_as_many_alerts_as_the_weighted_score():
    import numpy as np

    p = np.array([0.9, 0.1, 0.5, 0.7, 0.3])
    assert learned.matching_threshold(p, 2) == 0.7 and (p >= 0.7).sum() == 2
    assert learned.matching_threshold(p, 9) == 0.1
    assert learned.matching_threshold(p, 0) == 1.0


def test_when_the_weighted_score_alerts_nobody_the_model_alerts_as_many_as_churned():
    _saturated_churners()
    report = learned.learned_model_train(TRAIN, VALIDATE, alert_threshold=1)  # weighted scores are all 0 here
    validation = learned.dataset(VALIDATE)
    model = learned.learned_model_load(report.stored)
    alerted = (learned.learned_model_predict(model, validation.X) >= report.alert_probability).sum()
    assert report.validation_churned == 8 and alerted == 8
