from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from core.generic_views import CsvExport, CsvExportView, ObjectView, Scoped, ScopedListView, ServiceFormView
from core.masking import mask_id_number
from marketing import policies, selectors, services
from marketing.choices import CampaignStatus, OpinionVerdict
from marketing.filtersets import CampaignFilterSet
from marketing.forms import AnswerForm, CampaignForm, MemberTagForm, OpinionForm, SegmentCountForm, TransitionForm

EXPORT_COLUMNS = ["id", "name", "id_number", "region", "brand", "status", "credit_star", "credit_limit",
                  "join_date", "avg_monthly_spend", "lifecycle_stage"]
SEGMENT_EXPORT = CsvExport(filename="campaign-segment.csv", header=EXPORT_COLUMNS,
                           masked={"id_number": mask_id_number},
                           fields=["id", "name", "id_number", "region__name", "brand__name", "status", "credit_star",
                                   "credit_limit", "join_date", "avg_monthly_spend", "lifecycle_stage"])


class CampaignListView(ScopedListView):
    selector = selectors.campaign_list
    filterset_class = CampaignFilterSet
    default_ordering = "-created"  # the model's order: newest first
    columns = [(pgettext_lazy("campaign", "Name"), "name"), (gettext_lazy("Status"), None),
               (gettext_lazy("Author"), None), (gettext_lazy("Round"), None), (gettext_lazy("Created"), "created"),
               (gettext_lazy("Launched"), "launched")]

    def get_extra_context(self):
        user = self.request.user
        return {"notifications": selectors.notifications_for(user=user),
                "overlap_customers": selectors.running_overlap_customers(user=user)}


class CampaignEditView(ServiceFormView):
    """Draft a campaign (no pk) or revise a draft / returned one, with the live segment count."""

    template_name = "marketing/campaign_form.html"
    object_selector = selectors.campaign_get
    form_class = CampaignForm
    success_message = gettext_lazy("Campaign saved.")

    def get_permission_required(self):
        return ["marketing.change_campaign" if "pk" in self.kwargs else "marketing.add_campaign"]

    def get(self, request, *args, **kwargs):
        self.object = campaign = self.get_object()
        if campaign is not None and not campaign.is_editable:
            messages.error(request, _("Only a draft or a returned campaign can be edited."))
            return redirect("marketing:campaign", pk=campaign.pk)
        return super(ServiceFormView, self).get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def answer_form(self) -> AnswerForm | None:
        """A returned campaign's revision answers the round's "must change" opinions."""
        campaign = self.object
        if campaign is None or campaign.status != CampaignStatus.RETURNED:
            return None
        opinions = campaign.opinions.filter(review_round=campaign.review_round,
                                            verdict=OpinionVerdict.MUST_CHANGE).select_related("reviewer")
        data = self.request.POST if self.request.method == "POST" else None
        return AnswerForm(data, opinions=opinions, prefix="a") if opinions else None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("answer_form", self.answer_form())  # the count: segment-count.js, once the page is shown
        return super().get_context_data(**kwargs, count=None)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form, answer_form = self.get_form(), self.answer_form()
        if form.is_valid() and (answer_form is None or answer_form.is_valid()):
            self.answers = answer_form.answers() if answer_form else None
            return self.form_valid(form)
        return self.render_to_response(self.get_context_data(form=form, answer_form=answer_form))

    def perform(self, form):
        if self.object is None:
            return services.campaign_create(author=self.request.user, **form.service_fields())
        return services.campaign_update(campaign=self.object, by=self.request.user, **form.service_fields(),
                                        answers=self.answers)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form, answer_form=self.answer_form()))

    def get_success_url(self, campaign=None):
        return reverse("marketing:campaign", kwargs={"pk": campaign.pk})


class SegmentCountView(Scoped, View):
    """The live count of the campaign form: the same segment query as the launch and the export."""

    permission_required = "marketing.view_campaign"

    def get(self, request):
        form = SegmentCountForm(request.GET)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors}, status=400)
        try:
            count = selectors.segment_count(rules=form.segment_rules(), min_star=form.cleaned_data["min_star"],
                                            user=request.user)
        except ValidationError as e:
            return JsonResponse({"errors": e.message_dict}, status=400)
        return JsonResponse({"count": count})


def segment_count_url(campaign) -> str:
    """The segment-count endpoint's URL for the campaign's stored segment and minimum star: the page asks it
    once shown (static/js/segment_count.js), in the reader's scope, rather than count 1M customers itself."""
    data = policies.segment_filter_data(campaign.segment or {})
    if campaign.min_star is not None:
        data["min_star"] = str(campaign.min_star)
    return f"{reverse('marketing:segment-count')}?{urlencode(data, doseq=True)}"


class CampaignPage:
    """A campaign in the user's scope (404 outside it) and what its pages show beside it."""

    object_selector = selectors.campaign_get
    permission_required = "marketing.view_campaign"

    def timeline(self) -> dict:
        campaign = self.object
        return {**selectors.campaign_timeline(campaign=campaign), "gaps": selectors.review_gaps(campaign=campaign)}


class CampaignDetailView(CampaignPage, ServiceFormView):
    """The campaign, its decision log and opinions, and the workflow actions the user may take; POST (to
    /transition/) a workflow step, a refusal shown as a form error on this page."""

    template_name = "marketing/campaign_detail.html"
    form_class = TransitionForm
    invalid_status = 400
    http_method_names = ["get", "head", "options"]  # the step is POSTed to /transition/

    def get_form_kwargs(self):
        # a POST is checked by the service (its refusal names the rule); a page offers only the user's steps
        allowed = policies.allowed_targets(self.object.status) if self.request.method == "POST" else \
            self.offered
        return {**super().get_form_kwargs(), "allowed": allowed}

    @cached_property
    def offered(self) -> list[str]:
        return selectors.offered_targets(campaign=self.object, user=self.request.user)

    def get_context_data(self, **kwargs):
        campaign, user = self.object, self.request.user
        context = super().get_context_data(**kwargs)
        shown = self.offered if self.request.method != "POST" else policies.allowed_targets(campaign.status)
        return {**context, **self.timeline(), "form": context["form"] if shown else None,
                "count_url": segment_count_url(campaign),  # counted on demand: a page, not a 1M count
                "notifications": selectors.notifications_for(user=user, campaign=campaign),
                "can_edit": campaign.is_editable and user.has_perm("marketing.change_campaign"),
                "can_export": user.has_perm("customers.export_customers")}

    def perform(self, form):
        return services.campaign_transition(campaign=self.object, to_status=form.cleaned_data["to_status"],
                                            by=self.request.user, reason=form.cleaned_data["reason"])

    def get_success_message(self, campaign):
        return _("Campaign is now %(status)s.") % {"status": campaign.get_status_display()}

    def get_success_url(self, campaign=None):
        return reverse("marketing:campaign", kwargs={"pk": self.object.pk})


class CampaignTransitionView(CampaignDetailView):
    http_method_names = ["get", "post", "head", "options"]

    def get(self, request, pk):
        return redirect("marketing:campaign", pk=pk)


class CampaignReviewView(CampaignPage, ServiceFormView):
    """The credit review: the computed risk assessment, an opinion per risk control, and the decision."""

    template_name = "marketing/campaign_review.html"
    form_class = OpinionForm
    invalid_status = 400
    success_message = gettext_lazy("Opinions saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET":
            kwargs["current"] = {o.control: (o.verdict, o.comment) for o in self.object.opinions.filter(
                review_round=self.object.review_round)}
        return kwargs

    def get_context_data(self, **kwargs):
        campaign, user = self.object, self.request.user
        assessment = selectors.risk_assessment(campaign=campaign, user=user)
        allowed = selectors.offered_targets(campaign=campaign, user=user)
        context = super().get_context_data(**kwargs)
        return {**context, "a": assessment, "opinion_form": context["form"],
                "per_star_json": [{**row, "label": _("Unrated") if row["star"] == "unrated" else f"{row['star']}★"}
                                  for row in selectors.assessment_to_json(assessment)["per_star"]],
                "can_review": (campaign.status in policies.REVIEWABLE_STATUSES
                               and user.has_perm("marketing.review_campaign")),
                "form": TransitionForm(allowed=allowed) if allowed else None,
                **self.timeline(), "changes": selectors.round_changes(campaign=campaign)}

    def perform(self, form):
        services.opinions_record(campaign=self.object, by=self.request.user, opinions=form.opinions())


class CampaignResultsView(CampaignPage, ObjectView):
    template_name = "marketing/campaign_results.html"

    def get_extra_context(self):
        return {"r": selectors.campaign_results(campaign=self.object, user=self.request.user)}


class SegmentExportView(CsvExportView):
    """CSV of the campaign's target customers within the user's scope, ID numbers masked. Needs the customer
    export permission (marketing staff have none: they see counts, not lists)."""

    permission_required = ["marketing.view_campaign", "customers.export_customers"]
    export = SEGMENT_EXPORT

    def get_export_queryset(self):
        self.campaign = selectors.campaign_get(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.campaign_target(campaign=self.campaign, user=self.request.user).order_by("id")

    def get_filename(self):
        return f"campaign-{self.campaign.pk}-segment.csv"


class CampaignMembersView(CampaignPage, ServiceFormView):
    """Staff tag the customers a running campaign acquired or converted (the API does the same); the latest
    tagged, with who tagged them and any credit officer's override."""

    permission_required = "marketing.tag_campaign_member"
    template_name = "marketing/campaign_members.html"
    form_class = MemberTagForm
    success_message = gettext_lazy("Customer tagged: counted from today.")

    def get_extra_context(self):
        return {"members": selectors.members_tagged(campaign=self.object, user=self.request.user)}

    def perform(self, form):
        line = selectors.line_in_scope(msisdn=form.cleaned_data["msisdn"], user=self.request.user)
        if line is None:
            raise ValidationError({"msisdn": _("No customer of yours has this number.")})
        services.member_tag(campaign=self.object, customer=line.customer, by=self.request.user,
                            how=form.cleaned_data["how"], override_reason=form.cleaned_data["override_reason"])
