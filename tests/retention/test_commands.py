import pytest
from django.core.management import call_command

from retention.models import ChurnScore, RetentionAlert, UsageSignals
from tests.retention.conftest import FALLING_3, HOTLINE_RISING_3, PERIOD, with_history

pytestmark = pytest.mark.django_db


def test_scan_retention_command_opens_alerts(capsys):
    with_history(spend=FALLING_3, hotline=HOTLINE_RISING_3)
    call_command("scan_retention", "--date", PERIOD)
    assert "1 alerts opened" in capsys.readouterr().out
    assert RetentionAlert.objects.count() == 1


def test_bench_retention_reports_a_ratio_and_leaves_nothing_behind(capsys):
    for _ in range(3):
        with_history(spend=FALLING_3, hotline=HOTLINE_RISING_3)
    call_command("bench_retention", "--customers", "2", "--date", PERIOD)
    out = capsys.readouterr().out
    assert "(2 alerts;" in out and "(0 new alerts;" in out and "x the floor" in out and "a month of 30" in out
    assert not RetentionAlert.objects.exists() and not ChurnScore.objects.exists()
    assert not UsageSignals.objects.exists()  # the cache it filled was rolled back too
