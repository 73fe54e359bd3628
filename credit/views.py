from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from arrears.selectors import emergency_recovery
from core.models import BatchRun
from core.roles import PROVINCE_WIDE_ROLES, user_role
from credit import four_eyes, selectors, services
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.choices import FourEyesStatus
from credit.forms import FourEyesDecisionForm, LimitChangeForm
from credit.impact import matrix_table
from credit.models import FourEyesRequest, ScoringModel
from credit.outcomes import outcomes
from credit.policies import LIMIT_PERMISSION
from credit.tasks import impact_preview_run
from customers.models import Customer
from customers.selectors import customer_get


class ScoringModelListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "credit.view_scoringmodel"
    template_name = "credit/model_list.html"
    queryset = ScoringModel.objects.select_related("published_by")


class ScoringModelDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    """The model, its registry facts, its last impact preview (what publishing it would move) and its PSI by month."""

    permission_required = "credit.view_scoringmodel"
    template_name = "credit/model_detail.html"
    queryset = ScoringModel.objects.prefetch_related("factors__bins", "cutoffs")

    def get_context_data(self, **kwargs):
        preview = self.object.previews.select_related("requested_by").first()
        return super().get_context_data(
            **kwargs, preview=preview, preview_table=matrix_table(preview) if preview else None,
            stability=selectors.stability_by_month(self.object))


class ScoringModelActionView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST publish or copy: a published model is never edited, it is copied to a new draft."""

    permission_required = "credit.change_scoringmodel"

    def post(self, request, pk, action):
        model = get_object_or_404(ScoringModel, pk=pk)
        try:
            if action == "preview":
                impact_preview_run.delay(model.pk, request.user.pk)
                messages.info(request, _("Impact preview requested; it shows here when computed."))
                return redirect("credit:model", pk=model.pk)
            if action == "challenge":
                services.scoring_model_challenge(model=model, by=request.user)
                messages.success(request, _("Version %(v)s is the challenger: scored nightly in shadow.")
                                 % {"v": model.version})
                return redirect("credit:model", pk=model.pk)
            if action == "publish":
                services.scoring_model_publish(model=model, by=request.user)
                messages.success(request, _("Version %(v)s is now the running model.") % {"v": model.version})
                return redirect("credit:model", pk=model.pk)
            draft = services.scoring_model_copy(model=model, by=request.user)
            messages.success(request, _("Draft version %(v)s created; edit it in Configuration.")
                             % {"v": draft.version})
            return redirect("credit:model", pk=draft.pk)
        except ValidationError as e:
            for error in e.messages:
                messages.error(request, error)
            return redirect("credit:model", pk=model.pk)


def _show_errors(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


class LimitChangeView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """In the star's range the limit changes at once; outside it a four-eyes request goes to another officer."""

    permission_required = LIMIT_PERMISSION

    def post(self, request, pk):
        customer = customer_get(user=request.user, pk=pk)
        form = LimitChangeForm(request.POST)
        if form.is_valid():
            try:
                result = services.credit_limit_change(customer=customer, amount=form.cleaned_data["amount"],
                                                      reason=form.cleaned_data["reason"], by=request.user)
                if isinstance(result, FourEyesRequest):
                    messages.info(request, _("Outside the star's range: request #%(id)s waits for a second credit "
                                             "officer.") % {"id": result.pk})
                else:
                    messages.success(request, _("Credit limit changed."))
            except ValidationError as e:
                _show_errors(request, e)
        else:
            for field, errors in form.errors.items():
                messages.error(request, f"{form.fields[field].label if field in form.fields else field}: "
                                        f"{' '.join(errors)}")
        return redirect("customers:detail", pk=customer.pk)


class FourEyesListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """Pending four-eyes requests to decide (a requester sees their own, without the buttons), and recent decisions."""

    permission_required = "credit.view_foureyesrequest"
    template_name = "credit/four_eyes.html"

    def get_queryset(self):
        return selectors.four_eyes_list(user=self.request.user).prefetch_related("subject")

    def get_context_data(self, **kwargs):
        decided = selectors.four_eyes_list(user=self.request.user, status=None).exclude(
            status=FourEyesStatus.PENDING).order_by("-decided_at")[:20]
        return super().get_context_data(**kwargs, decided=decided, form=FourEyesDecisionForm())


class FourEyesDecisionView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST approve or reject, in the second officer's own session."""

    permission_required = "credit.view_foureyesrequest"
    DECISIONS = {"approve": (four_eyes.four_eyes_approve, _("Request #%(id)s approved; the change applies now.")),
                 "reject": (four_eyes.four_eyes_reject, _("Request #%(id)s rejected."))}

    def post(self, request, pk, decision):
        four_eyes_request = get_object_or_404(selectors.four_eyes_list(user=request.user, status=None), pk=pk)
        form = FourEyesDecisionForm(request.POST)
        decide, done = self.DECISIONS[decision]
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("reason", [])))
            return redirect("credit:four-eyes")
        try:
            decide(request=four_eyes_request, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, done % {"id": four_eyes_request.pk})
        except ValidationError as e:
            _show_errors(request, e)
        return redirect("credit:four-eyes")


class CreditReportView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Star distribution now and each run's transition matrix, of the user's customers; the daily snapshots
    over time are the province's, so only province-wide roles see them."""

    permission_required = "credit.view_rating"
    template_name = "credit/report.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        runs = list(BatchRun.objects.filter(kind__in=[BASE_KIND, GUIDANCE_KIND]).order_by("-started_at")[:12])
        transitions = [(run, selectors.run_transitions(run_id=run.pk, user=user)) for run in runs]
        province_wide = user_role(user) in PROVINCE_WIDE_ROLES
        return super().get_context_data(
            **kwargs,
            distribution=selectors.star_distribution(Customer.objects.visible_to(user)),
            runs=[(run, matrix, sum(n for row in matrix.values() for n in row.values()))
                  for run, matrix in transitions],
            stars=selectors.STAR_ORDER,
            province_wide=province_wide,
            history=selectors.star_history() if province_wide else [],
            outcomes=_outcomes(user),
        )


def _outcomes(user) -> dict:
    """Shanxi's outcome figures on the reader's customers (credit.outcomes; emergency recovery from arrears)."""
    return {**outcomes(user=user), "recovery": emergency_recovery(user=user)}
