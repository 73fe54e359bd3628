"""Filtersets of the credit lists (the scoring models, the four-eyes queue)."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from credit.choices import FourEyesKind, ModelStatus
from credit.models import FourEyesRequest, ScoringModel


class ScoringModelFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ModelStatus.choices, label=_("Status"))

    class Meta:
        model = ScoringModel
        fields = []


class FourEyesFilterSet(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=FourEyesKind.choices, label=_("Kind"))

    class Meta:
        model = FourEyesRequest
        fields = []
