"""Filtersets of the credit lists (the scoring models, the four-eyes queue, the blacklist)."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from credit.choices import FourEyesKind, ModelStatus
from core.filtersets import OrderingFilter
from core.forms import StyledForm
from credit.blacklist import blacklist_query_filter, blacklist_status_filter
from credit.models import FourEyesRequest, ScoringModel
from customers.models import BlacklistEntry


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


BLACKLIST_STATUSES = [("open", _("Open")), ("cleared", _("Cleared")), ("all", _("All"))]


class BlacklistFilterSet(filters.FilterSet):
    """Open entries unless asked otherwise (what officers work); by ID number or customer id."""

    status = filters.ChoiceFilter(choices=BLACKLIST_STATUSES, label=_("Status"), empty_label=None,
                                  method="filter_status")
    q = filters.CharFilter(label=_("ID number or customer id"), max_length=32, method="filter_query")
    ordering = OrderingFilter(fields=(("created_at", "added"), ("amount_owed", "owed"), ("amount_paid", "paid")),
                              field_labels={"created_at": _("Added"), "amount_owed": _("Amount owed"),
                                            "amount_paid": _("Paid since")}, label=_("Sort by"))

    class Meta:
        model = BlacklistEntry
        fields = []
        form = StyledForm

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = "open"
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        return blacklist_status_filter(queryset, value)

    def filter_query(self, queryset, name, value):
        return blacklist_query_filter(queryset, value)
