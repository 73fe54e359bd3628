"""The product churn model (#15): honest features, voluntary vs involuntary, protocol, leakage, alerts."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from arrears.models import Bill, Payment
from core.tasks import dispatch_run
from customers.models import Device, LineStatusChange
from credit.four_eyes import four_eyes_approve
from retention import churn_model, features, policies, product, publication
from retention.sql import intake_features
from retention.batches import SCAN_KIND
from retention.models import LearnedModel, RetentionAlert
from tests.retention.conftest import with_history

pytestmark = pytest.mark.django_db

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
HOT = [95] * 12  # saturated plan: the voluntary churners' sign here


def _close(customer, on, *, arrears=False):
    line = customer.lines.get()
    line.closed_on, line.status = on, "closed"
    line.save()
    if arrears:  # the barring ladder closed it: the credit side's churn
        LineStatusChange.objects.create(line=line, from_status="two_way_barred", to_status="closed",
                                        changed_at=timezone.make_aware(datetime.combine(on, datetime.min.time())),
                                        reason="arrears", source="barring-v1")


def _province(n_churn=10, n_stay=30):
    """Voluntary churners (saturated, rising hotline calls) closing in October and in November; stayers; two
    arrears closures."""
    for month in (OCT, NOV):
        for i in range(n_churn):
            _close(with_history(saturation=[90 + i % 5] * 12, hotline=[0] * 9 + [1, 2, 2]), month + timedelta(days=11))
    for i in range(n_stay):
        with_history(saturation=[30 + 2 * i] * 12)
    for month in (OCT, NOV):
        _close(with_history(), month + timedelta(days=5), arrears=True)


def champion(row, org):
    """Publish a stored version the only way there is: a credit officer asks, a second one (admin) approves."""
    request = publication.churn_model_publish_request(model=row, by=org.credit_officer, reason="上线")
    four_eyes_approve(request=request, by=org.admin)
    row.refresh_from_db()
    return row


def test_features_do_not_change_when_outcomes_and_later_facts_shift():
    """Everything after the scan date moves — closures, usage, devices, bills, payments — the features do not."""
    customers = [with_history(saturation=[40 + i] * 12) for i in range(4)]
    before = features.frame(NOV, horizon_days=30)
    for c in customers:
        line = c.lines.get()
        _close(c, NOV + timedelta(days=3), arrears=c is customers[0])
        Device.objects.create(customer=c, brand="华为", model="Mate", price_band="high", dual_sim=True,
                              started_on=NOV + timedelta(days=2))
        Bill.objects.create(line=line, customer=c, period=NOV, amount=Decimal("500.00"), due_date=NOV + timedelta(5))
        Payment.objects.create(line=line, customer=c, amount=Decimal("900.00"), reference=f"p{c.pk}",
                               paid_at=timezone.now(), channel="counter")
    after = features.frame(NOV, horizon_days=30)
    assert list(after.ids) == list(before.ids)
    np.testing.assert_array_equal(after.X, before.X)  # NaN == NaN here: unknowns stay unknown
    assert not before.voluntary.any() and after.voluntary.sum() == 3 and after.involuntary.sum() == 1


def test_missing_usage_months_are_unknown_not_zero():
    fresh = with_history(spend=[None] * 12)
    frame = features.frame(NOV)
    row = frame.X[list(frame.ids).index(fresh.pk)]
    names = frame.names
    assert row[names.index("months_known")] == 0
    assert np.isnan(row[names.index("spend_3m")]) and np.isnan(row[names.index("saturation")])
    assert row[names.index("tenure_months")] > 60 and row[names.index("plan_fee")] > 0


def test_a_feature_read_after_the_scan_date_fails_the_training(monkeypatch):
    _province()
    leaky = features.Source("leak", """
        SELECT customer_id, max(closed_on) AS closed FROM customers_line
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s GROUP BY customer_id""",
                            {"closed_later": ("(leak.closed IS NOT NULL)::int", "泄漏")})
    monkeypatch.setattr(intake_features, "sources", lambda: [leaky])
    with pytest.raises(churn_model.LeakageError, match="closed_later"):
        product.churn_model_train([OCT, NOV])
    with pytest.raises(CommandError, match="closed_later"):
        call_command("train_churn_model", "--scan-date", "2026-10-01", "--scan-date", "2026-11-01")
    assert not LearnedModel.objects.exists()


def test_training_registers_a_challenger_publishing_makes_it_alert_with_a_chinese_explanation(org, capsys):
    _province()
    call_command("train_churn_model", "--scan-date", "2026-10-01", "--scan-date", "2026-11-01",
                 "--per-manager-week", "1")
    out = capsys.readouterr().out
    assert "out of time" in out and "involuntary" in out and "recall@top20%" in out
    row = LearnedModel.objects.get()
    assert row.challenger and not row.active and row.target == "voluntary"
    assert row.data_from == OCT and row.data_to == NOV and "tenure_months" in row.feature_names
    holdout = row.metrics["holdout"]
    assert holdout["product"]["roc_auc"] > 0.8  # saturation separates the voluntary churners here
    assert row.metrics["involuntary"] == 2 and "capacity" in row.threshold_basis
    assert set(row.reference) >= {"score", "saturation"}

    champion(row, org)
    dispatch_run(SCAN_KIND, "2026-11-23")
    alerts = list(RetentionAlert.objects.all())
    assert alerts and all(a.scored_by.startswith("learned") for a in alerts)
    why = alerts[0].explanation
    assert why and why[0]["label"] in features.labels_zh().values() and why[0]["effect"] > 0


def test_psi_and_shadow_comparison_are_recorded(org):
    _province()
    first = champion(product.churn_model_train([OCT, NOV]).stored, org)
    challenger = product.churn_model_train([OCT, NOV]).stored
    comparison = product.shadow_compare(day=NOV)
    assert comparison.champion == first and comparison.challenger == challenger
    assert comparison.customers > 0 and comparison.rank_correlation > 0.99  # same data, same learner
    readings = {r.variable: r.psi for r in product.stability_record(row=first, month=NOV)}
    assert "score" in readings and all(v is not None for v in readings.values())


def test_alert_threshold_by_capacity_and_by_expected_value():
    assert policies.capacity_alerts(managers=3, per_manager_week=10, days=28) == 120
    assert policies.capacity_threshold([0.9, 0.1, 0.5, 0.7], 2) == 0.7
    assert policies.expected_value_threshold(customer_value=Decimal(1000), offer_cost=Decimal(60),
                                             save_rate=Decimal("0.3")) == pytest.approx(0.2)


def test_product_model_holds_against_the_baselines_on_synthetic_data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1500, 5))
    X[rng.random(X.shape) < 0.1] = np.nan  # unknowns
    logit = 1.2 * np.nan_to_num(X[:, 0]) - 0.8 * np.nan_to_num(X[:, 1]) + 0.5 * np.nan_to_num(X[:, 2]) ** 2 - 1
    y = rng.random(1500) < 1 / (1 + np.exp(-logit))
    results = product.churn_model_evaluate(X, y, np.arange(1500))
    best = max(results["logistic_regression"]["roc_auc"], results["gradient_boosting"]["roc_auc"])
    assert results["product"]["roc_auc"] >= best - 0.01


def test_pages_show_the_threshold_the_registry_and_the_explanation(org):
    from django.test import Client
    from django.urls import reverse

    _province()
    row = champion(product.churn_model_train([OCT, NOV]).stored, org)
    product.stability_record(row=row, month=NOV)
    dispatch_run(SCAN_KIND, "2026-11-23")
    client = Client()
    client.force_login(org.admin)
    queue = client.get(reverse("retention:alerts")).content.decode()
    assert f"{row.alert_probability:.4f}" in queue and "capacity" in queue
    registry = client.get(reverse("retention:models")).content.decode()
    assert 'id="churn-registry"' in registry and "2026-11" in registry and "psi-chart" in registry
    alert = RetentionAlert.objects.exclude(explanation=[]).first()
    detail = client.get(reverse("retention:alert", args=[alert.pk])).content.decode()
    assert alert.explanation[0]["label"] in detail


def test_the_monthly_job_keeps_a_psi_row_per_month_on_the_churn_model_page(org):
    """The scheduled stability job reads the champion each month against its training distribution; the registry
    page lists every month with the PSI of the score and each input, and its level."""
    from django.test import Client
    from django.urls import reverse

    from retention.tasks import churn_model_stability_monthly

    _province()
    row = champion(product.churn_model_train([OCT, NOV]).stored, org)
    assert churn_model_stability_monthly("2026-10-01") > 0 and churn_model_stability_monthly("2026-11-01") > 0
    client = Client()
    client.force_login(org.admin)
    response = client.get(reverse("retention:models"))
    table = response.context["stability"]
    assert [m["month"] for m in table["months"]] == ["2026-10", "2026-11"]
    assert table["variables"][0] == "score" and set(table["variables"]) <= {"score", *row.feature_names}
    assert all(m["level"] in ("stable", "warning", "alert") and len(m["cells"]) == len(table["variables"])
               for m in table["months"])
    page = response.content.decode()
    card = page[page.index('id="model-stability"'):page.index('id="psi-data"')]
    assert card.count("<tr><td>2026-10</td>") == 1 and card.count("<tr><td>2026-11</td>") == 1
