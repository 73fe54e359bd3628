import django_filters as filters
from django_filters.constants import EMPTY_VALUES
from django.utils.translation import gettext_lazy as _

from core.choices import BatchStatus
from core.models import BatchRun


class OrderingFilter(filters.OrderingFilter):
    """django-filter's ordering with the descending label in our catalogue: its own ships zh_CN, not zh_Hans, so
    a Chinese page read "姓名 (descending)". Each filterset names its fields' labels (`field_labels`)."""

    descending_fmt = _("%s (descending)")

    def filter(self, qs, value):
        """The chosen order, then the primary key in the last key's direction: a total order, so a page never
        repeats or skips a row between equal values (and an index on (field, id) serves both directions). An
        unknown value never gets here: the form drops it and the list keeps its default order."""
        qs = super().filter(qs, value)
        ordering = qs.query.order_by
        if value in EMPTY_VALUES or not ordering:
            return qs
        last = str(ordering[-1])
        if last.lstrip("-") in ("pk", "id"):
            return qs
        return qs.order_by(*ordering, "-pk" if last.startswith("-") else "pk")


class BatchRunFilterSet(filters.FilterSet):
    kind = filters.CharFilter(label=_("Kind"))
    status = filters.MultipleChoiceFilter(choices=BatchStatus.choices, label=_("Status"))
    ordering = OrderingFilter(fields=(("kind", "kind"), ("rows_affected", "rows"), ("started_at", "started"),
                                      ("finished_at", "finished")),
                              field_labels={"kind": _("Kind"), "rows_affected": _("Rows"), "started_at": _("Started"),
                                            "finished_at": _("Finished")}, label=_("Sort by"))

    class Meta:
        model = BatchRun
        fields = []
