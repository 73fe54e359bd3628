"""The collection queue's filterset, one for the page, the API and the export (same parameter names): region,
star, amount owed (min/max), age (an aging bucket or a days range), number (exact, or a prefix of 3–10 digits)
and the queue's order. Every order ends on the line id, so it is a total order: the item page's previous/next
(`neighbours`) is a keyset query over the same filtered queue."""

from datetime import timedelta
from decimal import Decimal

import django_filters as filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.models import LineAccount
from arrears.policies import AGE_BUCKETS
from core.forms import StyledForm
from core.models import Region
from customers.filtersets import STAR_CHOICES, UNRATED

MAX_DAYS = 3650  # ten years in arrears: any larger bound names no date worth asking for
MAX_OWED = Decimal("99999999.99")
NUMBER = RegexValidator(r"^1\d{2,10}$", _("Enter the mobile number or its first digits (3 to 11 digits)."))

# ordering parameter -> (field, descending) keys; the first is the default: most owed first
QUEUE_ORDERS = {
    "-owed": (("balance", False), ("line_id", False)),
    "owed": (("balance", True), ("line_id", True)),
    "-days": (("arrears_since", False), ("line_id", False)),
    "days": (("arrears_since", True), ("line_id", True)),
    "number": (("line__msisdn", False),),
    "-number": (("line__msisdn", True),),
}
DEFAULT_ORDER = "-owed"
ORDER_CHOICES = [("-owed", _("Most owed first")), ("owed", _("Least owed first")),
                 ("-days", _("Longest in arrears first")), ("days", _("Newest in arrears first")),
                 ("number", _("Number, ascending")), ("-number", _("Number, descending"))]


def order_keys(ordering: str) -> tuple:
    return QUEUE_ORDERS.get(ordering or DEFAULT_ORDER, QUEUE_ORDERS[DEFAULT_ORDER])


def order_by(keys) -> list[str]:
    return [f"-{field}" if descending else field for field, descending in keys]


class CollectionQueueFilterSet(filters.FilterSet):
    region = filters.ModelMultipleChoiceFilter(field_name="customer__region", queryset=Region.objects.all(),
                                               label=_("Region"), distinct=False)
    star = filters.MultipleChoiceFilter(choices=STAR_CHOICES, method="filter_star", label=_("Credit star"),
                                        distinct=False)
    owed_min = filters.NumberFilter(method="filter_owed_min", label=_("Owed at least (CNY)"), min_value=0,
                                    max_value=MAX_OWED, decimal_places=2)
    owed_max = filters.NumberFilter(method="filter_owed_max", label=_("Owed at most (CNY)"), min_value=0,
                                    max_value=MAX_OWED, decimal_places=2)
    bucket = filters.ChoiceFilter(choices=[(name, name) for name, _first, _last in AGE_BUCKETS],
                                  method="filter_bucket", label=_("Days in arrears"))
    days_min = filters.NumberFilter(method="filter_days_min", label=_("In arrears at least (days)"), min_value=0,
                                    max_value=MAX_DAYS, decimal_places=0)
    days_max = filters.NumberFilter(method="filter_days_max", label=_("In arrears at most (days)"), min_value=0,
                                    max_value=MAX_DAYS, decimal_places=0)
    number = filters.CharFilter(method="filter_number", label=_("Mobile number (or its first digits)"),
                                max_length=11, validators=[NUMBER])
    ordering = filters.ChoiceFilter(choices=ORDER_CHOICES, method="filter_ordering", label=_("Sort by"),
                                    empty_label=None, null_label=None)

    class Meta:
        model = LineAccount
        fields = []
        form = StyledForm

    @property
    def qs(self):
        """The filtered queue, in the chosen order (the default one too, when no order is asked for)."""
        queryset = super().qs
        if not self.is_bound or not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*order_by(order_keys(DEFAULT_ORDER)))
        return queryset

    def ordering_keys(self) -> tuple:
        ordering = self.form.cleaned_data.get("ordering") if self.is_bound and self.form.is_valid() else ""
        return order_keys(ordering)

    def filter_star(self, queryset, name, value):
        stars = [int(v) for v in value if v != UNRATED]
        q = Q(customer__credit_star__in=stars) if stars else Q()
        if UNRATED in value:
            q |= Q(customer__credit_star__isnull=True)
        return queryset.filter(q)

    def filter_owed_min(self, queryset, name, value):
        return queryset.filter(balance__lte=-value)

    def filter_owed_max(self, queryset, name, value):
        return queryset.filter(balance__gte=-value)

    def filter_bucket(self, queryset, name, value):
        for label, first, last in AGE_BUCKETS:
            if label == value:
                queryset = self.filter_days_min(queryset, name, first)
                return self.filter_days_max(queryset, name, last) if last is not None else queryset
        return queryset

    def filter_days_min(self, queryset, name, value):
        return queryset.filter(arrears_since__lte=timezone.localdate() - timedelta(days=int(value)))

    def filter_days_max(self, queryset, name, value):
        return queryset.filter(arrears_since__gte=timezone.localdate() - timedelta(days=int(value)))

    def filter_number(self, queryset, name, value):
        return queryset.filter(**{"line__msisdn" if len(value) == 11 else "line__msisdn__startswith": value})

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*order_by(order_keys(value)))
