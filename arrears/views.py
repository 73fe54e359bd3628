from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from arrears import selectors, services
from arrears.forms import CollectionForm, SpSettlementForm
from arrears.policies import AGE_BUCKETS, SP_SETTLEMENT, age_bucket
from arrears.settlement import sp_settlement
from arrears.value import value_report  # uncached: one aggregate over the month's indexed rows
from core.exports import csv_response
from core.pagination import CappedCountPaginator


class CollectionQueueView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """Lines in arrears, most owed first, by aging bucket, with the chart of the buckets."""

    permission_required = "arrears.view_collectioncase"
    template_name = "arrears/collection_queue.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator

    def get_queryset(self):
        bucket = self.request.GET.get("bucket", "")
        self.bucket = bucket if bucket in {name for name, _, _ in AGE_BUCKETS} else ""
        return selectors.collection_queue(user=self.request.user, bucket=self.bucket)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for account in context["object_list"]:
            account.days_in_arrears = (today - account.arrears_since).days
            account.bucket = age_bucket(account.days_in_arrears)
            account.owed = -account.balance
        return {**context, "bucket": self.bucket, "buckets": [name for name, _, _ in AGE_BUCKETS],
                "summary": selectors.aging_summary(user=self.request.user),
                "querystring": f"bucket={self.bucket}" if self.bucket else ""}


class CollectionItemView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "arrears.view_collectioncase"
    template_name = "arrears/collection_item.html"

    def get(self, request, pk):
        self.account = selectors.collection_item(user=request.user, line_id=pk)  # after the permission check
        return super().get(request, pk=pk)

    def get_context_data(self, form=None, **kwargs):
        case = getattr(self.account.line, "collection_case", None)
        initial = {"status": case.status, "promised_on": case.promised_on, "promised_amount": case.promised_amount,
                   "outcome": case.outcome} if case else {}
        return super().get_context_data(
            **kwargs, account=self.account, case=case, form=form or CollectionForm(initial=initial),
            events=self.account.line.barring_events.all()[:20],
            can_work=self.request.user.has_perm("arrears.change_collectioncase"))

    def post(self, request, pk):
        if not request.user.has_perm("arrears.change_collectioncase"):
            raise PermissionDenied
        self.account = selectors.collection_item(user=request.user, line_id=pk)
        form = CollectionForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        services.collection_record(account=self.account, by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("arrears:collection-item", pk=pk)


class ArrearsReportView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Arrears by star, brand and acquiring channel, and the agent scorecard; cached 10 minutes per user."""

    permission_required = "arrears.view_lineaccount"
    template_name = "arrears/report.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        key = f"arrears-report:{user.pk}"
        figures = cache.get(key)
        if figures is None:
            figures = {"by_star": selectors.arrears_by(user=user, dimension="star"),
                       "by_brand": selectors.arrears_by(user=user, dimension="brand"),
                       "by_channel": selectors.arrears_by(user=user, dimension="channel")[:20],
                       "by_campaign": selectors.arrears_by(user=user, dimension="campaign")[:20],
                       "scorecard": selectors.agent_scorecard(user=user),
                       "aging": selectors.aging_summary(user=user),
                       "recovery": selectors.emergency_recovery(user=user),
                       "durations": selectors.barring_durations(user=user)}
            cache.set(key, figures, 600)

        return super().get_context_data(**kwargs, **figures, value=value_report(user=user))


class SpSettlementView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Each SP's estimated share of a month's arrears, to deduct at settlement; `?export=csv` downloads it."""

    permission_required = "arrears.view_spcharge"
    template_name = "arrears/sp_settlement.html"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        defaults = {"period": (today.replace(day=1) - timedelta(days=1)).replace(day=1),  # last month
                    "min_amount": SP_SETTLEMENT.min_line_arrears}
        form = SpSettlementForm(request.GET or None, initial=defaults)
        if form.is_bound and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, rows=None))
        chosen = form.cleaned_data if form.is_bound else defaults
        period, minimum = chosen["period"], chosen["min_amount"]
        rows = sp_settlement(period=period, today=today, min_line_arrears=minimum)
        if request.GET.get("export") == "csv":
            return _settlement_csv(rows, period)
        return self.render_to_response(self.get_context_data(
            form=form, rows=rows, period=period, total=sum((r.deduction for r in rows), Decimal("0")),
            focus_total=sum((r.deduction for r in rows if r.focus), Decimal("0")),
            csv_query=urlencode({"period": f"{period:%Y-%m}", "min_amount": minimum, "export": "csv"}),
            chart=[{"code": r.code, "revenue": str(r.revenue), "deduction": str(r.deduction)} for r in rows[:20]]))


SETTLEMENT_COLUMNS = ["sp", "name", "revenue", "lines", "lines_in_arrears", "deduction", "left_out",
                      "arrears_rate_pct", "captive_lines", "top_agent", "top_agent_share_pct", "flags", "priority"]


def _settlement_csv(rows, period):
    return csv_response(f"sp-settlement-{period:%Y-%m}.csv", SETTLEMENT_COLUMNS, (
        [r.code, r.name, r.revenue, r.lines, r.lines_in_arrears, r.deduction, r.left_out, r.arrears_rate,
         r.captive_lines, r.top_agent, r.top_agent_share, " ".join(r.flags), "yes" if r.focus else ""]
        for r in rows))
