from django import forms
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.generic_views import ObjectView, PageView, ScopedListView, ServiceActionView
from core.models import BatchRun
from core.roles import PROVINCE_WIDE_ROLES, user_role
from credit import four_eyes, ledger, report_facts, selectors, services
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.choices import FourEyesKind, FourEyesStatus
from credit.filtersets import FourEyesFilterSet, ScoringModelFilterSet
from credit.forms import FourEyesDecisionForm, LimitChangeForm
from credit.impact import matrix_table
from credit.models import FourEyesRequest
from credit.outcomes import outcomes
from credit.policies import LIMIT_PERMISSION
from credit.tasks import impact_preview_run
from customers.models import Customer
from customers.selectors import customer_get


class ScoringModelListView(ScopedListView):
    selector = selectors.scoring_model_list
    filterset_class = ScoringModelFilterSet
    paginate_by = None  # a registry of a few versions


class ScoringModelDetailView(ObjectView):
    """The model, its registry facts, its last impact preview (what publishing it would move) and its PSI by month."""

    permission_required = "credit.view_scoringmodel"
    template_name = "credit/model_detail.html"
    selector = selectors.scoring_model_details
    context_object_name = "scoringmodel"

    def get_extra_context(self):
        preview = self.object.previews.select_related("requested_by").first()
        return {"object": self.object, "preview": preview, "preview_table": matrix_table(preview) if preview else None,
                "stability": selectors.stability_by_month(self.object),
                "publication": selectors.latest_request(kind=FourEyesKind.SCORING_MODEL_PUBLISH, subject=self.object)}


class ScoringModelActionView(ServiceActionView):
    """POST preview, challenge or copy: a published model is never edited, it is copied to a new draft (publishing
    one, with its reason, is views_config.ScoringModelPublishView)."""

    permission_required = "credit.change_scoringmodel"
    selector = selectors.scoring_model_list
    form_class = forms.Form  # the button

    def perform(self, form):
        model, by, action = self.object, self.request.user, self.kwargs["action"]
        if action == "preview":
            impact_preview_run.delay(model.pk, by.pk)
            return model, _("Impact preview requested; it shows here when computed.")
        if action == "challenge":
            services.scoring_model_challenge(model=model, by=by)
            return model, _("Version %(v)s is the challenger: scored nightly in shadow.") % {"v": model.version}
        draft = services.scoring_model_copy(model=model, by=by)
        return draft, _("Draft version %(v)s created: edit it, then publish it.") % {"v": draft.version}

    def get_success_message(self, result):
        return result[1]

    def get_success_url(self, result=None):
        return reverse("credit:model", kwargs={"pk": (result[0] if result else self.object).pk})


class LimitChangeView(ServiceActionView):
    """In the star's range the limit changes at once; outside it a four-eyes request goes to another officer."""

    permission_required = LIMIT_PERMISSION
    object_selector = customer_get
    form_class = LimitChangeForm

    def perform(self, form):
        return services.credit_limit_change(customer=self.object, amount=form.cleaned_data["amount"],
                                            reason=form.cleaned_data["reason"], by=self.request.user)

    def get_success_message(self, result):
        if isinstance(result, FourEyesRequest):
            return _("Outside the star's range: request #%(id)s waits for a second credit officer.") % {
                "id": result.pk}
        return _("Credit limit changed.")

    def get_success_url(self, result=None):
        return reverse("customers:detail", kwargs={"pk": self.object.pk})


class FourEyesListView(ScopedListView):
    """Pending four-eyes requests to decide (a requester sees their own, without the buttons), and recent decisions."""

    template_name = "credit/four_eyes.html"
    selector = selectors.four_eyes_list
    filterset_class = FourEyesFilterSet
    paginate_by = None  # what waits is decided within days

    def get_extra_context(self):
        decided = selectors.four_eyes_list(user=self.request.user, status=None).exclude(
            status=FourEyesStatus.PENDING).order_by("-decided_at")[:20]
        return {"decided": decided, "form": FourEyesDecisionForm()}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("subject")


class FourEyesDecisionView(ServiceActionView):
    """POST approve or reject, in the second officer's own session."""

    permission_required = "credit.view_foureyesrequest"
    selector = selectors.four_eyes_list
    form_class = FourEyesDecisionForm
    DECISIONS = {"approve": (four_eyes.four_eyes_approve, gettext_lazy("Request #%(id)s approved; the change "
                                                                       "applies now.")),
                 "reject": (four_eyes.four_eyes_reject, gettext_lazy("Request #%(id)s rejected.")),
                 # whoever asked (or an administrator) takes it back: a draft it froze can change again
                 "withdraw": (four_eyes.four_eyes_withdraw, gettext_lazy("Request #%(id)s withdrawn."))}

    def selector_kwargs(self):
        return {"status": None}

    def perform(self, form):
        decide, done = self.DECISIONS[self.kwargs["decision"]]
        decide(request=self.object, by=self.request.user, reason=form.cleaned_data["reason"])
        return done % {"id": self.object.pk}

    def get_success_message(self, message):
        return message

    def get_success_url(self, result=None):
        """Back where the form was (a draft's page sends `next`), if that is a page of this site."""
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                                      require_https=self.request.is_secure()):
            return target
        return reverse("credit:four-eyes")


class CreditReportView(PageView):
    """Star distribution now and each run's transition matrix, of the user's customers; the daily snapshots
    over time are the province's, so only province-wide roles see them."""

    permission_required = "credit.view_rating"
    template_name = "credit/report.html"

    def get_extra_context(self):
        user = self.request.user
        runs = list(BatchRun.objects.filter(kind__in=[BASE_KIND, GUIDANCE_KIND]).order_by("-started_at")[:12])
        transitions = [(run, selectors.run_transitions(run_id=run.pk, user=user)) for run in runs]
        province_wide = user_role(user) in PROVINCE_WIDE_ROLES
        facts = report_facts.facts_scope(user)  # the province's or a region's counts: last night's facts
        distribution = (report_facts.star_distribution(*facts) if facts
                        else selectors.star_distribution(Customer.objects.visible_to(user)))
        return {"distribution": distribution, "figures_night": facts[0] if facts else None,
                "runs": [(run, matrix, sum(n for row in matrix.values() for n in row.values()))
                         for run, matrix in transitions],
                "stars": selectors.STAR_ORDER, "province_wide": province_wide,
                "history": selectors.star_history() if province_wide else [],
                "outcomes": {**outcomes(user=user), "recovery": ledger.emergency_recovery(user=user)}}
