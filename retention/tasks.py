from celery import shared_task

from core.tasks import dispatch_run, night_of
from customers.policies import months_ago
from retention import product
from retention.batches import SCAN_KIND
from retention.models import LearnedModel
from retention.verify import VERIFY_KIND


@shared_task
def scan_retention_nightly(day: str | None = None) -> int:
    """Scheduled nightly at 01:30 (django-celery-beat, editable in admin); period = today's date. The same night
    verifies the retentions whose check day has come (retention.verify)."""
    period = night_of(day).isoformat()
    dispatch_run(VERIFY_KIND, period)
    return dispatch_run(SCAN_KIND, period).pk


@shared_task
def churn_model_train_monthly(day: str | None = None) -> int | None:
    """Scheduled on the 2nd of each month: a new challenger from the last three complete scan months."""
    month0 = night_of(day).replace(day=1)
    dates = [months_ago(month0, k) for k in (3, 2, 1)]
    try:
        report = product.churn_model_train(dates)
    except ValueError:  # too few churners, or a leak: no new version; the champion keeps running
        return None
    return report.stored.pk if report.stored else None


@shared_task
def churn_challenger_shadow_nightly(day: str | None = None) -> int | None:
    comparison = product.shadow_compare(day=night_of(day))
    return comparison.pk if comparison else None


@shared_task
def churn_model_stability_monthly(day: str | None = None) -> int:
    rows = LearnedModel.objects.filter(feature_set=product.HONEST).filter(active=True) | \
        LearnedModel.objects.filter(feature_set=product.HONEST, challenger=True)
    return sum(len(product.stability_record(row=row, month=night_of(day))) for row in rows)
