"""One filterset per list: the page, the CSV export and the API use the same parameter names."""

import django_filters as filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.filtersets import OrderingFilter
from core.forms import LookupInput, StyledForm
from core.models import Region
from customers.models import Line
from enterprise.choices import (InteractionKind, LegacyClass, Priority, Product, ReportKind, Segment, ServiceDayStatus,
                                SizeBand, TaskStatus)
from enterprise.models import (EnterpriseAccount, Interaction, Opportunity, ProductHolding, SegmentTag, ServiceDayOrder,
                               ServiceDayReport, Task)

CLASS_CHOICES = [(c, c) for c in ("A+", "A", "B", "C", "D")]


class EnterpriseAccountFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))
    region = filters.ModelMultipleChoiceFilter(queryset=Region.objects.all(), label=_("Region"), distinct=False)
    industry = filters.CharFilter(lookup_expr="icontains", label=_("Industry"))
    size = filters.MultipleChoiceFilter(choices=SizeBand.choices, label=_("Size"), distinct=False)
    legacy_class = filters.MultipleChoiceFilter(choices=LegacyClass.choices, label=_("Legacy class"),
                                                distinct=False)
    computed_class = filters.MultipleChoiceFilter(choices=CLASS_CHOICES, label=_("Computed class"), distinct=False)
    product = filters.ChoiceFilter(choices=Product.choices, method="filter_product", label=_("Holds product"))
    segment = filters.ChoiceFilter(choices=Segment.choices, method="filter_segment",
                                   label=_("Tagged segment (latest night)"))
    account_manager = filters.NumberFilter(field_name="account_manager_id", label=_("Account manager"),
                                      widget=LookupInput(lookup="lookup-users"))
    revenue_min = filters.NumberFilter(field_name="unified_billing_revenue", lookup_expr="gte",
                                       label=_("Revenue at least"))
    ordering = OrderingFilter(fields=(("name", "name"), ("unified_billing_revenue", "revenue"),
                                      ("class_score", "score"), ("id", "id")),
                              field_labels={"name": pgettext_lazy("organisation", "Name"),
                                            "unified_billing_revenue": _("Revenue"), "class_score": _("Class score"),
                                            "id": _("Account number")}, label=_("Sort by"))

    class Meta:
        model = EnterpriseAccount
        fields = []
        form = StyledForm

    def filter_product(self, queryset, name, value):
        return queryset.filter(Exists(ProductHolding.objects.filter(account=OuterRef("pk"), product=value)))

    def filter_segment(self, queryset, name, value):
        latest = SegmentTag.objects.order_by("-evaluated_on").values("evaluated_on")[:1]
        return queryset.filter(Exists(SegmentTag.objects.filter(account=OuterRef("pk"), segment=value,
                                                                evaluated_on=latest)))


class TaskFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=TaskStatus.choices, label=_("Status"))
    priority = filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"))
    account = filters.NumberFilter(field_name="account_id", label=_("Account"),
                                 widget=LookupInput(lookup="lookup-enterprise-accounts"))
    assigned_to = filters.NumberFilter(field_name="assigned_to_id", label=_("Assigned to"),
                                       widget=LookupInput(lookup="lookup-users"))
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due by"))
    ordering = OrderingFilter(fields=(("due_date", "due"), ("priority", "priority")),
                              field_labels={"due_date": pgettext_lazy("task", "due date"), "priority": _("Priority")},
                              label=_("Sort by"))

    class Meta:
        model = Task
        fields = []
        form = StyledForm


class InteractionFilterSet(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=InteractionKind.choices, label=_("Kind"))
    account = filters.NumberFilter(field_name="account_id", label=_("Account"),
                                 widget=LookupInput(lookup="lookup-enterprise-accounts"))
    by = filters.NumberFilter(field_name="by_id", label=_("By"), widget=LookupInput(lookup="lookup-users"))
    since = filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))

    class Meta:
        model = Interaction
        fields = []
        form = StyledForm


class MemberFilterSet(filters.FilterSet):
    account = filters.NumberFilter(field_name="enterprise_id", label=_("Account"),
                                 widget=LookupInput(lookup="lookup-enterprise-accounts"))

    class Meta:
        model = Line
        fields = []
        form = StyledForm


class ServiceDayFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ServiceDayStatus.choices, label=_("Status"))
    account = filters.NumberFilter(field_name="account_id", label=_("Account"),
                                 widget=LookupInput(lookup="lookup-enterprise-accounts"))
    since = filters.DateFilter(field_name="service_date", lookup_expr="gte", label=_("From"))
    ordering = OrderingFilter(fields=(("requested_date", "requested"), ("service_date", "service_date"),
                                      ("visit_deadline", "visit_due")),
                              field_labels={"requested_date": _("Requested"), "service_date": _("Service date"),
                                            "visit_deadline": _("Visit log due")}, label=_("Sort by"))

    class Meta:
        model = ServiceDayOrder
        fields = []
        form = StyledForm


class ServiceDayReportFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ReportKind.choices, label=_("Kind"))
    submitted = filters.BooleanFilter(field_name="submitted_on", lookup_expr="isnull", exclude=True,
                                      label=_("Submitted"))
    ordering = OrderingFilter(fields=(("period_start", "period"), ("due_date", "due")),
                              field_labels={"period_start": _("Period"), "due_date": _("Due")},
                              label=_("Sort by"))

    class Meta:
        model = ServiceDayReport
        fields = []
        form = StyledForm


class OpportunityFilterSet(filters.FilterSet):
    stage = filters.CharFilter(label=_("Stage"))  # any text, as the page's stage links send it
    account = filters.NumberFilter(field_name="account_id", label=_("Account"),
                                 widget=LookupInput(lookup="lookup-enterprise-accounts"))
    ordering = OrderingFilter(fields=(("expected_revenue", "revenue"), ("expected_close", "close")),
                              field_labels={"expected_revenue": _("Expected revenue per month"),
                                            "expected_close": _("Expected close")}, label=_("Sort by"))

    class Meta:
        model = Opportunity
        fields = []
        form = StyledForm
