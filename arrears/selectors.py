"""Reads of the arrears app: the collection queue (scoped) and its aging summary."""

from datetime import date, timedelta

from django.db.models import Case, CharField, Count, QuerySet, Sum, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from arrears.models import LineAccount
from arrears.policies import AGE_BUCKETS
from customers.models import Customer


def _bucket_range(label: str, today: date) -> tuple[date | None, date]:
    """arrears_since dates of a bucket: (earliest or None, latest)."""
    for name, first, last in AGE_BUCKETS:
        if name == label:
            return (today - timedelta(days=last) if last is not None else None), today - timedelta(days=first)
    raise ValueError(label)


def collection_queue(*, user, bucket: str = "", today: date | None = None) -> QuerySet[LineAccount]:
    """Lines in arrears that the user may see, most owed first; `bucket` narrows to one aging bucket."""
    today = today or timezone.localdate()
    qs = (LineAccount.objects.filter(arrears_since__isnull=False, customer__in=Customer.objects.visible_to(user))
          .select_related("line", "customer", "line__collection_case").order_by("balance", "line_id"))
    if bucket:
        earliest, latest = _bucket_range(bucket, today)
        qs = qs.filter(arrears_since__lte=latest)
        if earliest:
            qs = qs.filter(arrears_since__gte=earliest)
    return qs


def aging_summary(*, user, today: date | None = None) -> list[dict]:
    """Per aging bucket: lines and amount owed (for the chart), in bucket order."""
    today = today or timezone.localdate()
    whens = []
    for name, first, last in AGE_BUCKETS:
        condition = {"arrears_since__lte": today - timedelta(days=first)}
        if last is not None:
            condition["arrears_since__gte"] = today - timedelta(days=last)
        whens.append(When(**condition, then=Value(name)))
    rows = (collection_queue(user=user, today=today).order_by()
            .annotate(bucket=Case(*whens, output_field=CharField()))
            .values("bucket").annotate(lines=Count("line_id"), owed=Sum("balance")))
    found = {r["bucket"]: r for r in rows}
    return [{"bucket": name, "lines": found.get(name, {}).get("lines", 0),
             "owed": str(-(found.get(name, {}).get("owed") or 0))} for name, _, _ in AGE_BUCKETS]


def collection_item(*, user, line_id: int) -> LineAccount:
    return get_object_or_404(collection_queue(user=user), pk=line_id)
