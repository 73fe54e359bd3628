from django import forms
from django.contrib import messages
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.generic_views import (CsvExport, CsvExportView, LookupView, ObjectFormView, PageView, ScopedListView,
                                ServiceActionView, ServiceFormView)
from core.selectors import working_calendar
from enterprise import policies, selectors, services
from enterprise.choices import OpportunityStage
from enterprise.filtersets import (EnterpriseAccountFilterSet, OpportunityFilterSet, ServiceDayFilterSet,
                                   ServiceDayReportFilterSet, TaskFilterSet)
from enterprise.forms import (InteractionForm, OpportunityForm, OpportunityStageForm, ReassignForm, ReportSubmitForm,
                              ServiceDayForm, TaskForm, TaskUpdateForm)
from enterprise.models import ServiceDayCollection

EXPORT_COLUMNS = ["id", "name", "industry", "region", "size", "headcount", "members", "unified_billing_revenue",
                  "legacy_class", "computed_class", "class_score", "account_manager"]
ACCOUNT_EXPORT = CsvExport(filename="enterprise_accounts.csv", header=EXPORT_COLUMNS, chunk_size=2000,
                           fields=["id", "name", "industry", "region__name", "size", "headcount", "member_count",
                                   "unified_billing_revenue", "legacy_class", "computed_class", "class_score",
                                   "account_manager__username"])


class AccountListView(ScopedListView):
    template_name = "enterprise/account_list.html"
    selector = selectors.account_list
    filterset_class = EnterpriseAccountFilterSet
    default_ordering = "name"  # the model's order
    columns = [(pgettext_lazy("organisation", "Name"), "name"), (gettext_lazy("Industry"), None),
               (gettext_lazy("Region"), None), (gettext_lazy("Size"), None), (gettext_lazy("Members"), None, "end"),
               (gettext_lazy("Unified-billing revenue"), "revenue", "end"), (gettext_lazy("Legacy class"), None),
               (gettext_lazy("Computed class"), "score"), (gettext_lazy("Account manager"), None)]


class AccountExportView(CsvExportView):
    """CSV of the filtered account list, in the user's scope; streamed."""

    permission_required = "enterprise.export_enterpriseaccount"
    selector = selectors.account_list
    filterset_class = EnterpriseAccountFilterSet
    export = ACCOUNT_EXPORT


class AccountDetailView(ServiceFormView):
    """The account page; POST (to /reassign/) moves it to another manager, a refusal shown on this page."""

    permission_required = "enterprise.view_enterpriseaccount"
    template_name = "enterprise/account_detail.html"
    object_selector = selectors.account_get
    context_object_name = "account"
    form_class = ReassignForm
    http_method_names = ["get", "head", "options"]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "region_id": self.object.region_id}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_reassign = self.request.user.has_perm("enterprise.reassign_enterpriseaccount")
        return {**selectors.account_detail(account=self.object, today=timezone.localdate()),
                "account": self.object, "reassign_form": context["form"] if can_reassign else None}


class AccountReassignView(AccountDetailView):
    permission_required = "enterprise.reassign_enterpriseaccount"
    http_method_names = ["post", "options"]
    success_message = gettext_lazy("Account reassigned; its tasks, contacts and history stay with it.")
    service, object_as, success_url_name = services.account_reassign, "account", "enterprise:account"


class WorkbenchView(PageView):
    """The manager's home page for enterprise work."""

    permission_required = "enterprise.view_enterpriseaccount"
    template_name = "enterprise/workbench.html"

    def get_extra_context(self):
        today = timezone.localdate()
        return {**selectors.workbench(user=self.request.user, today=today), "today": today}


class TaskListView(ScopedListView):
    selector = selectors.task_list
    filterset_class = TaskFilterSet
    default_ordering = "due"  # the model's order: soonest due first
    columns = [(gettext_lazy("Title"), None), (gettext_lazy("Account"), None), (pgettext_lazy("task", "Due"), "due"),
               (gettext_lazy("Priority"), "priority"), (gettext_lazy("Status"), None),
               (gettext_lazy("Assigned to"), None), (gettext_lazy("Assigned by"), None),
               (gettext_lazy("Outcome"), None)]

    def get_extra_context(self):
        return {"today": timezone.localdate()}


class AccountFormView(ServiceFormView):
    """A form on one account in the user's scope (form.html); success goes back to the account page."""

    template_name = "enterprise/form.html"
    object_selector = selectors.account_get
    title = ""
    success_message = gettext_lazy("Saved; the change is in the account's history.")
    object_as, success_url_name = "account", "enterprise:account"

    @property
    def account(self):
        return self.object

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account, "title": self.title,
                "back": self.account}

    def success_url_kwargs(self, result):
        return {"pk": self.account.pk}


class TaskCreateView(AccountFormView):
    """A lead (or admin) assigns a task on an account."""

    permission_required = "enterprise.add_task"
    title = gettext_lazy("New task")
    form_class = TaskForm
    success_message = gettext_lazy("Task assigned.")
    service, by_as = services.task_create, "assigned_by"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "account": self.object}


class TaskDetailView(ObjectFormView):
    selector = selectors.task_list
    form_class = TaskUpdateForm
    service = services.task_update

    def get_initial(self):
        return {"status": self.object.status, "outcome": self.object.outcome}

    def get_extra_context(self):
        return {"history": self.object.history.select_related("history_user", "assigned_to")[:20]}


class InteractionCreateView(AccountFormView):
    permission_required = "enterprise.add_interaction"
    title = gettext_lazy("Log an interaction")
    form_class = InteractionForm
    success_message = gettext_lazy("Interaction logged.")
    service = services.interaction_log

    def get_form_kwargs(self):
        days = self.object.service_days.filter(visit_logged_on__isnull=True).order_by("-service_date")
        return {**super().get_form_kwargs(), "service_days": days}

    def get_initial(self):
        return {"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "kind": "visit"}


class ServiceDayListView(ScopedListView):
    template_name = "enterprise/service_day_list.html"
    selector = selectors.service_day_list
    filterset_class = ServiceDayFilterSet
    default_ordering = "-service_date"  # the model's order: latest service day first
    columns = [(gettext_lazy("Target group"), None), (gettext_lazy("Requested"), "requested"),
               (gettext_lazy("Service date"), "service_date"), (gettext_lazy("Status"), None),
               (gettext_lazy("Collected"), None), (gettext_lazy("Visit log due"), "visit_due"),
               (gettext_lazy("Logged on"), None), (gettext_lazy("Submitted by"), None)]

    def get_extra_context(self):
        today = timezone.localdate()
        return {"today": today, "collections": ServiceDayCollection.objects.select_related("by")[:10],
                "next_collection": policies.next_collection_day(today, calendar=working_calendar()),
                "can_collect": self.request.user.has_perm("enterprise.add_servicedaycollection")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = context["today"]
        context["rows"] = [(o, policies.visit_overdue(o.visit_deadline, o.visit_logged_on, today)
                            if o.status != "cancelled" else False) for o in context["object_list"]]
        return context


class ServiceDayCreateView(AccountFormView):
    permission_required = "enterprise.add_servicedayorder"
    title = gettext_lazy("On-site service day order")
    form_class = ServiceDayForm

    def perform(self, form):
        order, moved = services.service_day_submit(account=self.object, by=self.request.user, **form.cleaned_data)
        if moved:
            messages.warning(self.request, moved)
        return order

    def get_success_message(self, order):
        return _("Order submitted for %(date)s; it goes to the channel admins on %(collection)s.") % {
            "date": order.service_date,
            "collection": policies.next_collection_day(timezone.localdate(), calendar=working_calendar())}


class ServiceDayCollectView(ServiceActionView):
    """Collect now (the scheduled task does it on Tuesdays and Thursdays)."""

    permission_required = "enterprise.add_servicedaycollection"
    form_class = forms.Form  # nothing to ask: the button
    success_url = reverse_lazy("enterprise:service-days")

    def perform(self, form):
        return services.service_days_collect(today=timezone.localdate(), by=self.request.user)

    def get_success_message(self, collection):
        return _("%(n)s orders collected for the channel admins.") % {"n": collection.order_count}


class ServiceDayReportListView(ScopedListView):
    template_name = "enterprise/service_day_reports.html"
    selector = selectors.service_day_reports
    filterset_class = ServiceDayReportFilterSet
    default_ordering = "-period"  # the model's order: latest period first
    columns = [(gettext_lazy("Kind"), None), (gettext_lazy("Region"), None), (gettext_lazy("Period"), "period"),
               (gettext_lazy("Groups served"), None), (gettext_lazy("Due"), "due"), (gettext_lazy("Submitted"), None),
               ("", None)]

    def get_extra_context(self):
        return {"form": ReportSubmitForm(),
                "can_submit": self.request.user.has_perm("enterprise.change_servicedayreport")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["rows"] = [(r, policies.report_overdue(r.due_date, r.submitted_on, today))
                           for r in context["object_list"]]
        return context


class ServiceDayReportSubmitView(ServiceActionView):
    permission_required = "enterprise.change_servicedayreport"
    selector = selectors.service_day_reports
    form_class = ReportSubmitForm
    invalid_message = gettext_lazy("The report needs its summary.")
    success_message = gettext_lazy("Report submitted.")
    service, object_as = services.service_day_report_submit, "report"
    success_url = reverse_lazy("enterprise:service-day-reports")

    def perform(self, form):
        form.cleaned_data["today"] = timezone.localdate()
        return super().perform(form)


class AlertCloseView(ServiceActionView):
    permission_required = "enterprise.change_enterprisealert"
    selector = selectors.alert_list
    form_class = forms.Form  # nothing to ask: the button
    success_message = gettext_lazy("Alert closed.")
    service, object_as, success_url_name = services.alert_close, "alert", "enterprise:account"

    def success_url_kwargs(self, result):
        return {"pk": self.object.account_id}


class ReportView(PageView):
    """KPIs (002) and insight reports (002 §6.5) over the user's scope, with charts."""

    permission_required = "enterprise.view_enterpriseaccount"
    template_name = "enterprise/reports.html"

    def get_extra_context(self):
        today, user = timezone.localdate(), self.request.user
        return {"kpis": selectors.kpis(user=user, today=today),
                "managers": selectors.manager_performance(user=user, today=today),
                **selectors.insight_reports(user=user, today=today)}


class OpportunityListView(ScopedListView):
    """Prospects and development opportunities in the user's scope (002 §7.1)."""

    selector = selectors.opportunity_list
    filterset_class = OpportunityFilterSet
    columns = [(gettext_lazy("Title"), None), (gettext_lazy("Account"), None), (gettext_lazy("Kind"), None),
               (gettext_lazy("Stage"), None), (gettext_lazy("Expected revenue per month"), "revenue", "end"),
               (gettext_lazy("Expected close"), "close"), (gettext_lazy("Account manager"), None)]

    def get_extra_context(self):
        return {"stages": OpportunityStage.choices, "stage": self.request.GET.get("stage", "")}


class OpportunityCreateView(ServiceFormView):
    permission_required = "enterprise.add_opportunity"
    template_name = "enterprise/opportunity_form.html"
    form_class = OpportunityForm
    success_message = gettext_lazy("Opportunity recorded.")
    service, success_url = services.opportunity_create, reverse_lazy("enterprise:opportunities")

    def get_form_kwargs(self):
        accounts = selectors.account_list(user=self.request.user).select_related(None).order_by("name")
        return {**super().get_form_kwargs(), "accounts": accounts}

    def get_initial(self):
        return {"account": self.request.GET.get("account")}


class OpportunityDetailView(ObjectFormView):
    selector = selectors.opportunity_list
    form_class = OpportunityStageForm
    service = services.opportunity_move

    def get_initial(self):
        return {"stage": self.object.stage}

    def changeable(self):
        return self.object.stage not in services.FINAL_STAGES

    def get_extra_context(self):
        return {"history": self.object.history.select_related("history_user")[:20]}


class AccountLookupView(LookupView):
    """Enterprise accounts in the user's scope by name or account number (a name picker)."""

    permission_required = "enterprise.view_enterpriseaccount"
    lookup = selectors.account_lookup
