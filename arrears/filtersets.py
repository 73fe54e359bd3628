"""The collection queue's filterset: the aging bucket, which the queue's selector applies itself (its query is
tuned for it), so this validates the parameter and leaves the queryset as it is."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from arrears.models import LineAccount
from arrears.policies import AGE_BUCKETS
from core.forms import StyledForm


class CollectionQueueFilterSet(filters.FilterSet):
    bucket = filters.ChoiceFilter(choices=[(name, name) for name, _first, _last in AGE_BUCKETS],
                                  method="applied_by_selector", label=_("Days in arrears"))

    class Meta:
        model = LineAccount
        fields = []
        form = StyledForm

    def applied_by_selector(self, queryset, name, value):
        return queryset
