import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.choices import BatchStatus
from core.models import BatchRun


class BatchRunFilterSet(filters.FilterSet):
    kind = filters.CharFilter(label=_("Kind"))
    status = filters.MultipleChoiceFilter(choices=BatchStatus.choices, label=_("Status"))

    class Meta:
        model = BatchRun
        fields = []
