from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from arrears import selectors, services
from arrears.filtersets import DEFAULT_ORDER, CollectionQueueFilterSet
from arrears.forms import CollectionForm, SpSettlementForm
from arrears.policies import AGE_BUCKETS, SP_SETTLEMENT, age_bucket
from arrears.settlement import latest_charge_month, settlement_as_of, sp_settlement
from core.generic_views import CsvExport, CsvExportView, PageView, ScopedListView, ServiceFormView
from core.masking import mask_msisdn
from core.pagination import neighbours

SETTLEMENT_COLUMNS = ["sp", "name", "revenue", "lines", "lines_in_arrears", "deduction", "left_out",
                      "arrears_rate_pct", "captive_lines", "top_agent", "top_agent_share_pct", "flags", "priority"]
SETTLEMENT_EXPORT = CsvExport(filename="sp-settlement.csv", header=SETTLEMENT_COLUMNS)


class CollectionQueueView(ScopedListView):
    """Lines in arrears, most owed first (or as sorted), filtered by region, star, amount, age and number, with
    the chart of the buckets. Each row's link carries the query, so the item page's previous/next follow it."""

    permission_required = "arrears.view_collectioncase"
    template_name = "arrears/collection_queue.html"
    selector = selectors.collection_queue
    filterset_class = CollectionQueueFilterSet
    default_ordering = DEFAULT_ORDER
    columns = ((gettext_lazy("Number"), "number"), (gettext_lazy("Customer"), None),
               (gettext_lazy("Region"), None), (gettext_lazy("Credit star"), None), (gettext_lazy("State"), None),
               (gettext_lazy("Owed (CNY)"), "owed", "end"), (gettext_lazy("Days in arrears"), "days"),
               (gettext_lazy("Case"), None), (gettext_lazy("Promise"), None))

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("customer__region")

    def decorate_page(self, accounts):
        decorate_accounts(accounts)

    def get_extra_context(self):
        return {"bucket": self.filter_value("bucket"), "buckets": [name for name, _, _ in AGE_BUCKETS],
                "summary": selectors.aging_summary(user=self.request.user)}


def decorate_accounts(accounts) -> None:
    today = timezone.localdate()
    for account in accounts:
        account.days_in_arrears = (today - account.arrears_since).days
        account.bucket = age_bucket(account.days_in_arrears)
        account.owed = -account.balance


class CollectionQueueExportView(CsvExportView):
    """The filtered, sorted queue as CSV (the list the user sees, every page), personal data masked as in every
    export: the mobile number keeps its first 3 and last 4 digits (the full one is on the item page, in scope)."""

    permission_required = "arrears.view_collectioncase"
    selector = selectors.collection_queue
    filterset_class = CollectionQueueFilterSet
    export = CsvExport(filename="collection-queue.csv",
                       header=["msisdn", "customer", "region", "credit_star", "state", "owed", "arrears_since"],
                       fields=["line__msisdn", "customer__name", "customer__region__name", "customer__credit_star",
                               "state", "owed", "arrears_since"],
                       masked={"line__msisdn": mask_msisdn})

    def get_export_queryset(self):
        return super().get_export_queryset().annotate(owed=-F("balance"))


class CollectionItemView(ServiceFormView):
    """One line's collection case; working it (POST) needs the change permission. The queue's query string
    (filters, order) comes along: previous/next are the neighbours in that filtered, sorted queue (a keyset
    query each), and saving comes back here with it."""

    template_name = "arrears/collection_item.html"
    context_object_name = "account"
    form_class = CollectionForm
    success_message = gettext_lazy("Saved.")
    service, object_as = services.collection_record, "account"

    def get_permission_required(self):
        view = ["arrears.view_collectioncase"]
        return view + ["arrears.change_collectioncase"] if self.request.method == "POST" else view

    def get_object(self):
        return selectors.collection_item(user=self.request.user, line_id=self.kwargs["pk"])

    def get_initial(self):
        case = getattr(self.object.line, "collection_case", None)
        return {"status": case.status, "promised_on": case.promised_on, "promised_amount": case.promised_amount,
                "outcome": case.outcome} if case else {}

    def get_success_url(self, result=None):
        return self.request.get_full_path()

    def get_extra_context(self):
        query = self.request.GET.copy()
        query.pop("page", None)
        queue = CollectionQueueFilterSet(query or None, queryset=selectors.collection_queue(user=self.request.user))
        previous, following = neighbours(queue.qs, self.object, queue.ordering_keys())
        decorate_accounts([self.object])
        return {"case": getattr(self.object.line, "collection_case", None),
                "events": self.object.line.barring_events.all()[:20],
                "can_work": self.request.user.has_perm("arrears.change_collectioncase"),
                "querystring": query.urlencode(), "previous_pk": previous, "next_pk": following}


class ArrearsReportView(PageView):
    """Arrears by star, brand and acquiring channel, and the agent scorecard; cached 10 minutes per user."""

    permission_required = "arrears.view_lineaccount"
    template_name = "arrears/report.html"

    def get_extra_context(self):
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
                       "durations": selectors.barring_durations(user=user),
                       "as_of": (selectors.facts_scope(user) or (None,))[0]}  # the night of the pre-aggregates
            cache.set(key, figures, 600)
        return {**figures, "value": selectors.value_report(user=user)}  # uncached: last night's facts or a book


class SpSettlementView(PageView):
    """Each SP's estimated share of a month's arrears, to deduct at settlement; `?export=csv` downloads it."""

    permission_required = "arrears.view_spcharge"
    template_name = "arrears/sp_settlement.html"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        # the latest month with SP charges up to last month (an empty last month would show an empty page)
        defaults = {"period": latest_charge_month(up_to=last_month) or last_month,
                    "min_amount": SP_SETTLEMENT.min_line_arrears}
        form = SpSettlementForm(request.GET or None, initial=defaults)
        if form.is_bound and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, rows=None))
        chosen = form.cleaned_data if form.is_bound else defaults
        period, minimum = chosen["period"], chosen["min_amount"]
        rows = sp_settlement(period=period, today=today, min_line_arrears=minimum)
        if request.GET.get("export") == "csv":
            return SETTLEMENT_EXPORT.response(rows=_settlement_rows(rows), filename=f"sp-settlement-{period:%Y-%m}.csv")
        return self.render_to_response(self.get_context_data(
            form=form, rows=rows, period=period, total=sum((r.deduction for r in rows), Decimal("0")),
            as_of=settlement_as_of(period=period, min_line_arrears=minimum),
            focus_total=sum((r.deduction for r in rows if r.focus), Decimal("0")),
            csv_query=urlencode({"period": f"{period:%Y-%m}", "min_amount": minimum, "export": "csv"}),
            chart=[{"code": r.code, "name": r.name or r.code, "revenue": str(r.revenue), "deduction": str(r.deduction)}
                   for r in rows[:20]]))


def _settlement_rows(rows):
    return ([r.code, r.name, r.revenue, r.lines, r.lines_in_arrears, r.deduction, r.left_out, r.arrears_rate,
             r.captive_lines, r.top_agent, r.top_agent_share, " ".join(r.flags), "yes" if r.focus else ""]
            for r in rows)
