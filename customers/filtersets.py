"""One filterset for the customer list page, the export and the API (same parameter names)."""

import re

import django_filters as filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.filtersets import OrderingFilter
from core.forms import StyledForm
from core.models import Region
from customers.choices import CallbackStatus, ServiceStatus
from customers.models import Brand, Customer, Line, OnboardingCallback
from customers.policies import months_ago

UNRATED = "unrated"
STAR_CHOICES = [(UNRATED, _("Unrated"))] + [(str(s), _("%(n)s★") % {"n": s}) for s in range(6)]
MSISDN_PREFIX = re.compile(r"^1\d{4,10}$")  # 5+ digits: a 4-character query is an ID tail
ID_TAIL = re.compile(r"^\d{3}[\dXx]$")


MAX_TENURE_MONTHS = 1200


def value_model():
    """arrears.CustomerValue by the reverse relation: the value batch (arrears, a layer up) writes it, the list
    reads it; no import of arrears from customers."""
    return Customer._meta.get_field("values").related_model


def latest_value_month():
    """The latest month the value batch valued and ranked (the month the list's current value is of)."""
    return (value_model().objects.filter(decile__isnull=False).order_by("-month")
            .values_list("month", flat=True).first())


class ValueOrderingFilter(OrderingFilter):
    """Sorting by current value puts the customers without one last in either direction."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value and value[0].lstrip("-") == "value":
            desc = value[0].startswith("-")
            key = F("latest_value").desc(nulls_last=True) if desc else F("latest_value").asc(nulls_last=True)
            qs = qs.order_by(key, "-pk" if desc else "pk")
        return qs


class CustomerFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label=_("Name, mobile number or ID tail"))
    # distinct=False: none of these joins a multi-valued relation, and DISTINCT over a province is costly.
    region = filters.ModelMultipleChoiceFilter(queryset=Region.objects.all(), label=_("Region"), distinct=False)
    brand = filters.ModelMultipleChoiceFilter(queryset=Brand.objects.all(), label=_("Brand"), distinct=False)
    star = filters.MultipleChoiceFilter(choices=STAR_CHOICES, method="filter_star", label=_("Credit star"),
                                        distinct=False)
    status = filters.MultipleChoiceFilter(choices=ServiceStatus.choices, label=_("Status"), distinct=False)
    account_manager = filters.NumberFilter(label=_("Account manager (user id)"), widget=forms.HiddenInput)
    # at most 100 years: a larger tenure names no date (the fuzzer found 4.3e16 months raised a 500)
    tenure_min = filters.NumberFilter(method="filter_tenure_min", label=_("Tenure at least (months)"), min_value=0,
                                      max_value=MAX_TENURE_MONTHS)
    tenure_max = filters.NumberFilter(method="filter_tenure_max", label=_("Tenure at most (months)"), min_value=0,
                                      max_value=MAX_TENURE_MONTHS)
    spend_min = filters.NumberFilter(field_name="avg_monthly_spend", lookup_expr="gte", label=_("Spend at least"))
    spend_max = filters.NumberFilter(field_name="avg_monthly_spend", lookup_expr="lte", label=_("Spend at most"))
    # the value model (source 000): who the top 20 % are (deciles 1–2), the bottom 30 % (8–10), negative value
    value_decile_min = filters.NumberFilter(method="filter_value_decile", min_value=1, max_value=10,
                                            label=_("Value decile at least (1 = the top 10 % of the customer's brand)"))
    value_decile_max = filters.NumberFilter(method="filter_value_decile", min_value=1, max_value=10,
                                            label=_("Value decile at most (1 = the top 10 % of the customer's brand)"))
    negative_value = filters.BooleanFilter(method="filter_negative_value", label=_("Negative value"))
    ordering = ValueOrderingFilter(
        fields=(("name", "name"), ("join_date", "join_date"), ("avg_monthly_spend", "spend"),
                ("credit_star", "star"), ("id", "id"), ("latest_value", "value")),
        field_labels={"name": pgettext_lazy("person", "Name"), "join_date": _("Join date"),
                      "avg_monthly_spend": _("Average monthly spend"), "credit_star": _("Credit star"),
                      "id": _("Customer number"), "latest_value": _("Current value")},
        label=_("Sort by"),
    )

    class Meta:
        model = Customer
        fields = []
        form = StyledForm

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if MSISDN_PREFIX.match(value):
            lookup = {"msisdn": value} if len(value) == 11 else {"msisdn__startswith": value}
            return queryset.filter(Exists(Line.objects.filter(customer=OuterRef("pk"), **lookup)))
        if ID_TAIL.match(value):
            return queryset.filter(id_last4=value.upper())
        return queryset.filter(name__startswith=value)

    def filter_star(self, queryset, name, values):
        stars = [int(v) for v in values if v != UNRATED]
        condition = Q(credit_star__in=stars)
        if UNRATED in values:
            condition |= Q(credit_star__isnull=True)
        return queryset.filter(condition)

    def filter_tenure_min(self, queryset, name, value):
        return queryset.filter(join_date__lte=months_ago(timezone.localdate(), int(value)))

    def filter_tenure_max(self, queryset, name, value):
        return queryset.filter(join_date__gt=months_ago(timezone.localdate(), int(value) + 1))

    def filter_value_decile(self, queryset, name, value):
        """The decile within the customer's brand in the latest month the value batch ranked."""
        lookup = "gte" if name == "value_decile_min" else "lte"
        return queryset.filter(pk__in=value_model().objects.filter(month=latest_value_month(),
                                                                    **{f"decile__{lookup}": int(value)})
                               .values("customer_id"))

    def filter_negative_value(self, queryset, name, value):
        """Value below zero in the latest month valued (True), or zero and above (False)."""
        rows = value_model().objects.filter(month=latest_value_month())
        return queryset.filter(pk__in=(rows.filter(value__lt=0) if value else rows.filter(value__gte=0))
                               .values("customer_id"))

    def filter_queryset(self, queryset):
        if any(o.lstrip("-") == "value" for o in self.form.cleaned_data.get("ordering") or []):
            queryset = queryset.annotate(latest_value=Subquery(
                value_model().objects.filter(customer=OuterRef("pk")).order_by("-month").values("value")[:1]))
        return super().filter_queryset(queryset)

    @property
    def qs(self):
        qs = super().qs
        return qs if qs.query.order_by else qs.order_by("-avg_monthly_spend", "id")


class CallbackFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=CallbackStatus.choices, label=_("Status"))
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("Due from"))
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("Due until"))
    ordering = OrderingFilter(fields=(("due_on", "due"), ("status", "status")),
                              field_labels={"due_on": _("Due on"), "status": _("Status")}, label=_("Sort by"))

    class Meta:
        model = OnboardingCallback
        fields = []
        form = StyledForm
