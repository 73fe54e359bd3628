"""The segment filterset: the customer list's filterset plus the marketing rules; and the campaign list's."""

import django_filters as filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.filtersets import OrderingFilter
from core.forms import LookupInput, StyledForm
from customers.choices import LifecycleStage
from customers.filtersets import CustomerFilterSet
from customers.models import Line
from customers.policies import months_ago
from marketing.choices import CampaignStatus
from marketing.models import Campaign, UsageFacts

SATURATION_MONTHS = 3  # plan saturation = average over the last 3 complete months (as retention's upgrade offer)


def saturation_window(today=None):
    """[first, end) of the months whose usage counts: the last 3 complete calendar months."""
    today = today or timezone.localdate()
    end = today.replace(day=1)
    return months_ago(end, SATURATION_MONTHS), end


class SegmentFilterSet(CustomerFilterSet):
    """Segment rules compile through this into ONE customer queryset (the count, the export, the launch tags)."""

    lifecycle_stage = filters.MultipleChoiceFilter(choices=LifecycleStage.choices, label=_("Lifecycle stage"),
                                                   distinct=False)
    saturation_min = filters.NumberFilter(method="filter_saturation", label=_("Plan saturation at least (%)"))
    saturation_max = filters.NumberFilter(method="filter_saturation", label=_("Plan saturation at most (%)"))
    enterprise_member = filters.BooleanFilter(method="filter_enterprise", label=_("Enterprise member"))
    # value_decile_min / value_decile_max / negative_value: the customer list's (CustomerFilterSet)

    def filter_saturation(self, queryset, name, value):
        """Reads the nightly usage facts (3-month average per customer), not the 12 M usage rows."""
        lookup = "gte" if name == "saturation_min" else "lte"
        return queryset.filter(pk__in=UsageFacts.objects.filter(**{f"plan_saturation__{lookup}": value})
                               .values("customer_id"))

    def filter_enterprise(self, queryset, name, value):
        member = Exists(Line.objects.filter(customer=OuterRef("pk"), enterprise__isnull=False))
        return queryset.filter(member if value else ~member)


class CampaignFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=CampaignStatus.choices, label=_("Status"))
    name = filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    author = filters.NumberFilter(field_name="author_id", label=_("Author"), widget=LookupInput(lookup="lookup-users"))
    ordering = OrderingFilter(fields=(("name", "name"), ("created_at", "created"), ("launched_at", "launched")),
                              field_labels={"name": pgettext_lazy("campaign", "Name"), "created_at": _("Created"),
                                            "launched_at": _("Launched")},
                              label=_("Sort by"))

    class Meta:
        model = Campaign
        fields = []
        form = StyledForm
