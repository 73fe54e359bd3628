"""One filterset for the alert queue page and the API (same parameter names)."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filtersets import OrderingFilter
from core.forms import LookupInput, StyledForm
from retention.choices import AlertStatus, Offer
from retention.models import RetentionAlert


class RetentionAlertFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=AlertStatus.choices, label=_("Status"))
    open = filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", label=_("Still open"))
    score_min = filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("Score at least"))
    offer = filters.ChoiceFilter(choices=Offer.choices, label=_("Offer made"))
    account_manager = filters.NumberFilter(field_name="account_manager_id", label=_("Account manager"),
                                          widget=LookupInput(lookup="lookup-users"))
    opened_after = filters.DateFilter(field_name="opened_at", lookup_expr="date__gte", label=_("Opened from"))
    opened_before = filters.DateFilter(field_name="opened_at", lookup_expr="date__lte", label=_("Opened until"))
    ordering = OrderingFilter(fields=(("score", "score"), ("opened_at", "opened_at")),  # indexed with the id
                              field_labels={"score": _("Churn score"), "opened_at": _("Opened")}, label=_("Sort by"))

    class Meta:
        model = RetentionAlert
        fields = []
        form = StyledForm
