from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from core.exports import csv_response
from core.pagination import CappedCountPaginator
from core.scope import customer_scope_q
from core.selectors import working_calendar
from enterprise import policies, selectors, services
from enterprise.choices import OpportunityStage
from enterprise.filtersets import EnterpriseAccountFilterSet, TaskFilterSet
from enterprise.forms import (InteractionForm, OpportunityForm, OpportunityStageForm, ReassignForm, ReportSubmitForm,
                              ServiceDayForm, TaskForm, TaskUpdateForm)
from enterprise.models import EnterpriseAlert, ServiceDayCollection

EXPORT_COLUMNS = ["id", "name", "industry", "region", "size", "headcount", "members", "unified_billing_revenue",
                  "legacy_class", "computed_class", "class_score", "account_manager"]


def add_errors(form, exc: ValidationError):
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


class Perm(LoginRequiredMixin, PermissionRequiredMixin):
    pass


class AccountListView(Perm, ListView):
    permission_required = "enterprise.view_enterpriseaccount"
    template_name = "enterprise/account_list.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator

    def get_queryset(self):
        self.filterset = EnterpriseAccountFilterSet(self.request.GET or None,
                                                    queryset=selectors.account_list(user=self.request.user))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs, filterset=self.filterset, querystring=query.urlencode())


class AccountExportView(Perm, View):
    """CSV of the filtered account list, in the user's scope; streamed."""

    permission_required = "enterprise.export_enterpriseaccount"

    def get(self, request):
        filterset = EnterpriseAccountFilterSet(request.GET or None, queryset=selectors.account_list(user=request.user))
        qs = filterset.qs.values_list("id", "name", "industry", "region__name", "size", "headcount", "member_count",
                                      "unified_billing_revenue", "legacy_class", "computed_class", "class_score",
                                      "account_manager__username")

        return csv_response("enterprise_accounts.csv", EXPORT_COLUMNS, qs.iterator(chunk_size=2000))


class AccountDetailView(Perm, View):
    permission_required = "enterprise.view_enterpriseaccount"

    def get(self, request, pk, reassign_form=None):
        account = selectors.account_get(user=request.user, pk=pk)
        context = selectors.account_detail(account=account, today=timezone.localdate())
        can_reassign = request.user.has_perm("enterprise.reassign_enterpriseaccount")
        return render(request, "enterprise/account_detail.html", {
            **context, "account": account,
            "reassign_form": (reassign_form or ReassignForm(region_id=account.region_id)) if can_reassign else None})


class AccountReassignView(Perm, View):
    permission_required = "enterprise.reassign_enterpriseaccount"

    def post(self, request, pk):
        account = selectors.account_get(user=request.user, pk=pk)
        form = ReassignForm(request.POST, region_id=account.region_id)
        if form.is_valid():
            try:
                services.reassign_account(account=account, by=request.user, **form.cleaned_data)
                messages.success(request, _("Account reassigned; its tasks, contacts and history stay with it."))
                return redirect("enterprise:account", pk=account.pk)
            except ValidationError as exc:
                add_errors(form, exc)
        return AccountDetailView().get(request, pk, reassign_form=form)


class WorkbenchView(Perm, TemplateView):
    """The manager's home page for enterprise work."""

    permission_required = "enterprise.view_enterpriseaccount"
    template_name = "enterprise/workbench.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(**kwargs, **selectors.workbench(user=self.request.user, today=today),
                                        today=today)


class TaskListView(Perm, ListView):
    permission_required = "enterprise.view_task"
    template_name = "enterprise/task_list.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator

    def get_queryset(self):
        self.filterset = TaskFilterSet(self.request.GET or None, queryset=selectors.task_list(user=self.request.user))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs, filterset=self.filterset, querystring=query.urlencode(),
                                        today=timezone.localdate())


class AccountFormView(Perm, View):
    """A form on one account in the user's scope (form.html); `save` returns the response after success."""

    title = ""

    def get_form(self, account, data=None):
        raise NotImplementedError

    def save(self, request, account, form):
        raise NotImplementedError

    def _render(self, request, account, form):
        return render(request, "enterprise/form.html", {
            "form": form, "account": account, "title": self.title, "back": account})

    def get(self, request, pk):
        account = selectors.account_get(user=request.user, pk=pk)
        return self._render(request, account, self.get_form(account))

    def post(self, request, pk):
        account = selectors.account_get(user=request.user, pk=pk)
        form = self.get_form(account, request.POST)
        if form.is_valid():
            try:
                return self.save(request, account, form)
            except ValidationError as exc:
                add_errors(form, exc)
        return self._render(request, account, form)


class TaskCreateView(AccountFormView):
    """A lead (or admin) assigns a task on an account."""

    permission_required = "enterprise.add_task"
    title = gettext_lazy("New task")

    def get_form(self, account, data=None):
        return TaskForm(data, account=account)

    def save(self, request, account, form):
        services.create_task(account=account, assigned_by=request.user, **form.cleaned_data)
        messages.success(request, _("Task assigned."))
        return redirect("enterprise:account", pk=account.pk)

class TaskDetailView(Perm, View):
    permission_required = "enterprise.view_task"

    def _render(self, request, task, form=None):
        can_change = request.user.has_perm("enterprise.change_task")
        return render(request, "enterprise/task_detail.html", {
            "task": task, "history": task.history.select_related("history_user", "assigned_to")[:20],
            "form": (form or TaskUpdateForm(initial={"status": task.status, "outcome": task.outcome}))
            if can_change else None})

    def get(self, request, pk):
        return self._render(request, selectors.task_get(user=request.user, pk=pk))

    def post(self, request, pk):
        task = selectors.task_get(user=request.user, pk=pk)
        if not request.user.has_perm("enterprise.change_task"):
            messages.error(request, _("You may not change tasks."))
            return redirect("enterprise:task", pk=task.pk)
        form = TaskUpdateForm(request.POST)
        if form.is_valid():
            try:
                services.update_task(task=task, by=request.user, **form.cleaned_data)
                messages.success(request, _("Task updated."))
                return redirect("enterprise:task", pk=task.pk)
            except ValidationError as exc:
                add_errors(form, exc)
        return self._render(request, task, form)


class InteractionCreateView(AccountFormView):
    permission_required = "enterprise.add_interaction"
    title = gettext_lazy("Log an interaction")

    def get_form(self, account, data=None):
        days = account.service_days.filter(visit_logged_on__isnull=True).order_by("-service_date")
        return InteractionForm(data, service_days=days, initial={"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                                                                 "kind": "visit"})

    def save(self, request, account, form):
        services.log_interaction(account=account, by=request.user, **form.cleaned_data)
        messages.success(request, _("Interaction logged."))
        return redirect("enterprise:account", pk=account.pk)

class ServiceDayListView(Perm, ListView):
    permission_required = "enterprise.view_servicedayorder"
    template_name = "enterprise/service_day_list.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator

    def get_queryset(self):
        return selectors.service_day_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        context = super().get_context_data(**kwargs, today=today,
                                           collections=ServiceDayCollection.objects.select_related("by")[:10],
                                           next_collection=policies.next_collection_day(
                                               today, calendar=working_calendar()),
                                           can_collect=self.request.user.has_perm(
                                               "enterprise.add_servicedaycollection"))
        context["rows"] = [(o, policies.visit_overdue(o.visit_deadline, o.visit_logged_on, today)
                            if o.status != "cancelled" else False) for o in context["object_list"]]
        return context


class ServiceDayCreateView(AccountFormView):
    permission_required = "enterprise.add_servicedayorder"
    title = gettext_lazy("On-site service day order")

    def get_form(self, account, data=None):
        return ServiceDayForm(data)

    def save(self, request, account, form):
        order, moved = services.submit_service_day(account=account, by=request.user, **form.cleaned_data)
        if moved:
            messages.warning(request, moved)
        messages.success(request, _("Order submitted for %(date)s; it goes to the channel admins on "
                                    "%(collection)s.") % {
            "date": order.service_date,
            "collection": policies.next_collection_day(timezone.localdate(), calendar=working_calendar())})
        return redirect("enterprise:account", pk=account.pk)

class ServiceDayCollectView(Perm, View):
    """Collect now (the scheduled task does it on Tuesdays and Thursdays)."""

    permission_required = "enterprise.add_servicedaycollection"

    def post(self, request):
        try:
            collection = services.collect_service_days(today=timezone.localdate(), by=request.user)
            messages.success(request, _("%(n)s orders collected for the channel admins.") % {
                "n": collection.order_count})
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("enterprise:service-days")


class ServiceDayReportListView(Perm, ListView):
    permission_required = "enterprise.view_servicedayreport"
    template_name = "enterprise/service_day_reports.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.service_day_reports(user=self.request.user)

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        context = super().get_context_data(**kwargs, form=ReportSubmitForm(),
                                           can_submit=self.request.user.has_perm("enterprise.change_servicedayreport"))
        context["rows"] = [(r, policies.report_overdue(r.due_date, r.submitted_on, today))
                           for r in context["object_list"]]
        return context


class ServiceDayReportSubmitView(Perm, View):
    permission_required = "enterprise.change_servicedayreport"

    def post(self, request, pk):
        report = get_object_or_404(selectors.service_day_reports(user=request.user), pk=pk)
        form = ReportSubmitForm(request.POST)
        if form.is_valid():
            try:
                services.submit_report(report=report, by=request.user, today=timezone.localdate(),
                                       **form.cleaned_data)
                messages.success(request, _("Report submitted."))
            except ValidationError as exc:
                messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.error(request, _("The report needs its summary."))
        return redirect("enterprise:service-day-reports")


class AlertCloseView(Perm, View):
    permission_required = "enterprise.change_enterprisealert"

    def post(self, request, pk):
        alert = get_object_or_404(EnterpriseAlert.objects.filter(customer_scope_q(request.user, prefix="account__")),
                                  pk=pk)
        services.close_alert(alert=alert, by=request.user)
        messages.success(request, _("Alert closed."))
        return redirect("enterprise:account", pk=alert.account_id)


class ReportView(Perm, TemplateView):
    """KPIs (002) and insight reports (002 §6.5) over the user's scope, with charts."""

    permission_required = "enterprise.view_enterpriseaccount"
    template_name = "enterprise/reports.html"

    def get_context_data(self, **kwargs):
        today, user = timezone.localdate(), self.request.user
        return super().get_context_data(**kwargs, kpis=selectors.kpis(user=user, today=today),
                                        managers=selectors.manager_performance(user=user, today=today),
                                        **selectors.insight_reports(user=user, today=today))


class OpportunityListView(Perm, ListView):
    """Prospects and development opportunities in the user's scope (002 §7.1)."""

    permission_required = "enterprise.view_opportunity"
    template_name = "enterprise/opportunity_list.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator

    def get_queryset(self):
        qs = selectors.opportunity_list(user=self.request.user)
        stage = self.request.GET.get("stage")
        return qs.filter(stage=stage) if stage else qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, stages=OpportunityStage.choices,
                                        stage=self.request.GET.get("stage", ""))


class OpportunityCreateView(Perm, View):
    permission_required = "enterprise.add_opportunity"

    def _form(self, request, data=None):
        accounts = selectors.account_list(user=request.user).select_related(None).order_by("name")
        return OpportunityForm(data, accounts=accounts, initial={"account": request.GET.get("account")})

    def _render(self, request, form):
        return render(request, "enterprise/opportunity_form.html", {"form": form})

    def get(self, request):
        return self._render(request, self._form(request))

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                services.create_opportunity(by=request.user, **form.cleaned_data)
                messages.success(request, _("Opportunity recorded."))
                return redirect("enterprise:opportunities")
            except ValidationError as exc:
                add_errors(form, exc)
        return self._render(request, form)


class OpportunityDetailView(Perm, View):
    permission_required = "enterprise.view_opportunity"

    def _render(self, request, opportunity, form=None):
        can_change = request.user.has_perm("enterprise.change_opportunity") and \
            opportunity.stage not in services.FINAL_STAGES
        return render(request, "enterprise/opportunity_detail.html", {
            "opportunity": opportunity,
            "history": opportunity.history.select_related("history_user")[:20],
            "form": (form or OpportunityStageForm(initial={"stage": opportunity.stage})) if can_change else None})

    def get(self, request, pk):
        return self._render(request, get_object_or_404(selectors.opportunity_list(user=request.user), pk=pk))

    def post(self, request, pk):
        opportunity = get_object_or_404(selectors.opportunity_list(user=request.user), pk=pk)
        if not request.user.has_perm("enterprise.change_opportunity"):
            messages.error(request, _("You may not change opportunities."))
            return redirect("enterprise:opportunity", pk=opportunity.pk)
        form = OpportunityStageForm(request.POST)
        if form.is_valid():
            try:
                services.move_opportunity(opportunity=opportunity, by=request.user, **form.cleaned_data)
                messages.success(request, _("Opportunity updated."))
                return redirect("enterprise:opportunity", pk=opportunity.pk)
            except ValidationError as exc:
                add_errors(form, exc)
        return self._render(request, opportunity, form)
