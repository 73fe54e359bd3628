"""A churn data set through the intake (#15): mapping file, import command, evaluation on held-out customers."""

import csv
from datetime import date

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from customers.models import Contract, Customer, HeldService, Line, PaymentMethodRecord
from retention import features
from retention.management.commands.import_churn_dataset import DEFAULT_MAPPING

pytestmark = pytest.mark.django_db
SCAN = date(2026, 9, 1)
HEADER = ["customerID", "gender", "SeniorCitizen", "Partner", "Dependents", "Tenure", "PhoneService", "MultipleLines",
          "InternetService", "OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport", "StreamingTV",
          "StreamingMovies", "Contract", "PaperlessBilling", "PaymentMethod", "MonthlyCharges", "TotalCharges",
          "Churn"]


def _write(path, n=150, seed=3):
    """Rows shaped like the IBM sample; churn more likely month-to-month, short tenure, electronic check."""
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(n):
            monthly = rng.random() < 0.55
            tenure = int(rng.integers(1, 72))
            check = rng.random() < 0.35
            p = 0.05 + 0.35 * monthly + 0.2 * (tenure < 12) + 0.15 * check
            contract = "Month-to-month" if monthly else ("One year" if i % 2 else "Two year")
            w.writerow([f"{i:04d}-TEST", "Male" if i % 2 else "Female", 0, "No", "No", tenure, "Yes",
                        "Yes" if i % 3 == 0 else "No", "Fiber optic" if i % 2 else "DSL", "No", "Yes", "No", "No",
                        "Yes", "No", contract, "Yes", "Electronic check" if check else "Credit card (automatic)",
                        f"{20 + rng.random() * 90:.2f}", "100.0", "Yes" if rng.random() < p else "No"])


def test_import_loads_through_the_intake_and_churn_comes_after_the_scan_date(tmp_path, org, capsys):
    path = tmp_path / "telco.csv"
    _write(path)
    call_command("import_churn_dataset", str(path), "--scan-date", SCAN.isoformat(), "--by", org.admin.username)
    out = capsys.readouterr().out
    assert "150 customers loaded" in out
    imported = Customer.objects.filter(lines__msisdn__startswith="1990")
    assert imported.count() == 150
    closed = Line.objects.filter(msisdn__startswith="1990", closed_on__isnull=False)
    assert closed.exists() and all(d > SCAN for d in closed.values_list("closed_on", flat=True))
    assert Contract.objects.filter(kind="month_to_month", ends_on__isnull=True).exists()
    assert Contract.objects.filter(kind="two_year", ends_on__gt=SCAN, starts_on__lte=SCAN).exists()
    assert PaymentMethodRecord.objects.filter(method="electronic_check", auto_pay=False).exists()
    assert HeldService.objects.filter(code="broadband_fiber").exists()
    # a re-run loads nothing twice
    call_command("import_churn_dataset", str(path), "--scan-date", SCAN.isoformat(), "--by", org.admin.username)
    assert "150 already there" in capsys.readouterr().out and imported.count() == 150
    # as of the scan date: all open, no usage history known (NaN), the contract's months left known
    frame = features.frame(SCAN, ids=list(imported.values_list("pk", flat=True)), horizon_days=30)
    assert len(frame) == 150 and frame.voluntary.sum() == closed.count() and not frame.involuntary.any()
    names = frame.names
    assert np.isnan(frame.X[:, names.index("spend_3m")]).all()
    assert np.isfinite(frame.X[:, names.index("contract_months_left")]).all()

    call_command("evaluate_retention", "--scan-date", SCAN.isoformat())
    report = capsys.readouterr().out
    for name in ("product", "logistic_regression", "gradient_boosting", "PR-AUC", "recall@top20%"):
        assert name in report
    assert "5 folds grouped by customer" in report


def test_a_mapping_naming_a_missing_column_is_refused(tmp_path, org):
    path = tmp_path / "telco.csv"
    _write(path, n=3)
    mapping = tmp_path / "m.json"
    mapping.write_text(DEFAULT_MAPPING.read_text().replace('"Tenure"', '"months_with_us"'))
    with pytest.raises(CommandError, match="months_with_us"):
        call_command("import_churn_dataset", str(path), "--mapping", str(mapping), "--by", org.admin.username)
    assert not Line.objects.filter(msisdn__startswith="1990").exists()
