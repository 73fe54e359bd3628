from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from arrears import selectors, services
from arrears.forms import CollectionForm
from arrears.policies import AGE_BUCKETS, age_bucket
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
        from django.utils import timezone

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
            from django.core.exceptions import PermissionDenied

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
        from django.core.cache import cache

        user = self.request.user
        key = f"arrears-report:{user.pk}"
        figures = cache.get(key)
        if figures is None:
            figures = {"by_star": selectors.arrears_by(user=user, dimension="star"),
                       "by_brand": selectors.arrears_by(user=user, dimension="brand"),
                       "by_channel": selectors.arrears_by(user=user, dimension="channel")[:20],
                       "scorecard": selectors.agent_scorecard(user=user),
                       "aging": selectors.aging_summary(user=user),
                       "recovery": selectors.emergency_recovery(user=user),
                       "durations": selectors.barring_durations(user=user)}
            cache.set(key, figures, 600)
        return super().get_context_data(**kwargs, **figures)
