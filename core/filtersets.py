import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.choices import BatchStatus
from core.models import BatchRun


class OrderingFilter(filters.OrderingFilter):
    """django-filter's ordering with the descending label in our catalogue: its own ships zh_CN, not zh_Hans, so
    a Chinese page read "姓名 (descending)". Each filterset names its fields' labels (`field_labels`)."""

    descending_fmt = _("%s (descending)")


class BatchRunFilterSet(filters.FilterSet):
    kind = filters.CharFilter(label=_("Kind"))
    status = filters.MultipleChoiceFilter(choices=BatchStatus.choices, label=_("Status"))

    class Meta:
        model = BatchRun
        fields = []
