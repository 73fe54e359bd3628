from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from core.exports import csv_response
from core.masking import mask_id_number
from core.pagination import CappedCountPaginator
from customers.models import Customer, Line
from marketing import policies, selectors, services
from marketing.choices import CampaignStatus, OpinionVerdict
from marketing.filtersets import CampaignFilterSet
from marketing.forms import AnswerForm, CampaignForm, MemberTagForm, OpinionForm, SegmentCountForm, TransitionForm
from marketing.models import CampaignMember

EXPORT_COLUMNS = ["id", "name", "id_number", "region", "brand", "status", "credit_star", "credit_limit",
                  "join_date", "avg_monthly_spend", "lifecycle_stage"]


def _form_errors(form, error: ValidationError):
    for field, errors in error.message_dict.items():
        field = field.split(".")[-1]
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


class CampaignListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "marketing.view_campaign"
    template_name = "marketing/campaign_list.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator

    def get_queryset(self):
        self.filterset = CampaignFilterSet(self.request.GET or None,
                                           queryset=selectors.campaign_list(user=self.request.user))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs, filterset=self.filterset, querystring=query.urlencode(),
                                        notifications=selectors.notifications_for(user=self.request.user),
                                        overlap_customers=selectors.running_overlap_customers(user=self.request.user))


class CampaignEditView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Draft a campaign (no pk) or revise a draft / returned one, with the live segment count."""

    template_name = "marketing/campaign_form.html"

    def get_permission_required(self):
        return ["marketing.change_campaign" if "pk" in self.kwargs else "marketing.add_campaign"]

    def _render(self, request, form, campaign=None, answer_form=None):
        count = None
        if campaign is not None:
            count = selectors.segment_count(rules=campaign.segment, min_star=campaign.min_star, user=request.user)
        return render(request, self.template_name, {"form": form, "campaign": campaign, "count": count,
                                                    "answer_form": answer_form or self._answer_form(campaign)})

    @staticmethod
    def _answer_form(campaign, data=None) -> AnswerForm | None:
        """A returned campaign's revision answers the round's "must change" opinions."""
        if campaign is None or campaign.status != CampaignStatus.RETURNED:
            return None
        opinions = campaign.opinions.filter(review_round=campaign.review_round,
                                            verdict=OpinionVerdict.MUST_CHANGE).select_related("reviewer")
        return AnswerForm(data, opinions=opinions, prefix="a") if opinions else None

    def get(self, request, pk=None):
        campaign = selectors.campaign_get(user=request.user, pk=pk) if pk else None
        if campaign is not None and not campaign.is_editable:
            messages.error(request, _("Only a draft or a returned campaign can be edited."))
            return redirect("marketing:campaign", pk=campaign.pk)
        return self._render(request, CampaignForm(instance=campaign), campaign)

    def post(self, request, pk=None):
        campaign = selectors.campaign_get(user=request.user, pk=pk) if pk else None
        form = CampaignForm(request.POST, instance=campaign)
        answer_form = self._answer_form(campaign, request.POST)
        if form.is_valid() and (answer_form is None or answer_form.is_valid()):
            try:
                if campaign is None:
                    campaign = services.campaign_create(author=request.user, **form.service_fields())
                else:
                    campaign = services.campaign_update(campaign=campaign, by=request.user, **form.service_fields(),
                                                        answers=answer_form.answers() if answer_form else None)
                messages.success(request, _("Campaign saved."))
                return redirect("marketing:campaign", pk=campaign.pk)
            except ValidationError as e:
                _form_errors(form, e)
        return self._render(request, form, campaign, answer_form)


class SegmentCountView(LoginRequiredMixin, PermissionRequiredMixin, View):
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


class CampaignDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The campaign, its decision log and opinions, and the workflow actions the user may take."""

    permission_required = "marketing.view_campaign"
    template_name = "marketing/campaign_detail.html"

    def _render(self, request, campaign, form=None, status=200):
        allowed = policies.allowed_targets(campaign.status)
        form = form or TransitionForm(allowed=allowed)
        return render(request, self.template_name, {
            "campaign": campaign, "form": form if allowed else None, **selectors.campaign_timeline(campaign=campaign),
            "gaps": selectors.review_gaps(campaign=campaign),
            "count": selectors.segment_count(rules=campaign.segment, min_star=campaign.min_star, user=request.user),
            "notifications": selectors.notifications_for(user=request.user, campaign=campaign),
            "can_edit": campaign.is_editable and request.user.has_perm("marketing.change_campaign"),
            "can_export": request.user.has_perm("customers.export_customers"),
        }, status=status)

    def get(self, request, pk):
        return self._render(request, selectors.campaign_get(user=request.user, pk=pk))


class CampaignTransitionView(CampaignDetailView):
    """POST a workflow step; a refusal is shown as a form error on the campaign page."""

    def get(self, request, pk):
        return redirect("marketing:campaign", pk=pk)

    def post(self, request, pk):
        campaign = selectors.campaign_get(user=request.user, pk=pk)
        form = TransitionForm(request.POST, allowed=policies.allowed_targets(campaign.status))
        if form.is_valid():
            try:
                campaign = services.campaign_transition(campaign=campaign, to_status=form.cleaned_data["to_status"],
                                                        by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("Campaign is now %(status)s.") % {
                    "status": campaign.get_status_display()})
                return redirect("marketing:campaign", pk=campaign.pk)
            except ValidationError as e:
                _form_errors(form, e)
        return self._render(request, campaign, form, status=400)


class CampaignReviewView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The credit review: the computed risk assessment, an opinion per risk control, and the decision."""

    permission_required = "marketing.view_campaign"
    template_name = "marketing/campaign_review.html"

    def _render(self, request, campaign, opinion_form=None, status=200):
        assessment = selectors.risk_assessment(campaign=campaign, user=request.user)
        current = {o.control: (o.verdict, o.comment) for o in campaign.opinions.filter(
            review_round=campaign.review_round)}
        allowed = policies.allowed_targets(campaign.status)
        return render(request, self.template_name, {
            "campaign": campaign, "a": assessment,
            "per_star_json": [{**row, "label": _("Unrated") if row["star"] == "unrated" else f"{row['star']}★"}
                              for row in selectors.assessment_to_json(assessment)["per_star"]],
            "opinion_form": opinion_form or OpinionForm(current=current),
            "can_review": (campaign.status in policies.REVIEWABLE_STATUSES
                           and request.user.has_perm("marketing.review_campaign")),
            "form": TransitionForm(allowed=allowed) if allowed else None,
            **selectors.campaign_timeline(campaign=campaign),
            "gaps": selectors.review_gaps(campaign=campaign), "changes": selectors.round_changes(campaign=campaign),
        }, status=status)

    def get(self, request, pk):
        return self._render(request, selectors.campaign_get(user=request.user, pk=pk))

    def post(self, request, pk):
        campaign = selectors.campaign_get(user=request.user, pk=pk)
        form = OpinionForm(request.POST)
        if form.is_valid():
            try:
                services.record_opinions(campaign=campaign, by=request.user, opinions=form.opinions())
                messages.success(request, _("Opinions saved."))
                return redirect("marketing:campaign-review", pk=campaign.pk)
            except ValidationError as e:
                _form_errors(form, e)
        return self._render(request, campaign, form, status=400)


class CampaignResultsView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "marketing.view_campaign"
    template_name = "marketing/campaign_results.html"

    def get(self, request, pk):
        campaign = selectors.campaign_get(user=request.user, pk=pk)
        results = selectors.campaign_results(campaign=campaign, user=request.user)
        labels = {"arrears_customers": _("Participants in arrears"), "churn": _("Participants churned")}
        results["chart"] = [{**row, "label": labels[row["label"]]} for row in results["chart"]]
        return render(request, self.template_name, {"campaign": campaign, "r": results})


class SegmentExportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """CSV of the campaign's target customers within the user's scope, ID numbers masked. Needs the customer
    export permission (marketing staff have none: they see counts, not lists)."""

    permission_required = ["marketing.view_campaign", "customers.export_customers"]

    def get(self, request, pk):
        campaign = selectors.campaign_get(user=request.user, pk=pk)
        qs = selectors.campaign_target(campaign=campaign, user=request.user).order_by("id").values_list(
            "id", "name", "id_number", "region__name", "brand__name", "status", "credit_star", "credit_limit",
            "join_date", "avg_monthly_spend", "lifecycle_stage")

        rows = ((pk, name, mask_id_number(id_number), *rest)
                for pk, name, id_number, *rest in qs.iterator(chunk_size=5000))
        return csv_response(f"campaign-{campaign.pk}-segment.csv", EXPORT_COLUMNS, rows)


class CampaignMembersView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Staff tag the customers a running campaign acquired or converted (the API does the same); the latest
    tagged, with who tagged them and any credit officer's override."""

    permission_required = "marketing.tag_campaign_member"
    template_name = "marketing/campaign_members.html"

    def _render(self, request, campaign, form):
        members = (CampaignMember.objects.filter(campaign=campaign, customer__in=Customer.objects.visible_to(
            request.user).values("pk")).exclude(how="targeted").select_related("customer", "tagged_by")
            .order_by("-tagged_at")[:50])
        return render(request, self.template_name, {"campaign": campaign, "form": form, "members": members})

    def get(self, request, pk):
        return self._render(request, selectors.campaign_get(user=request.user, pk=pk), MemberTagForm())

    def post(self, request, pk):
        campaign = selectors.campaign_get(user=request.user, pk=pk)
        form = MemberTagForm(request.POST)
        if form.is_valid():
            line = (Line.objects.filter(msisdn=form.cleaned_data["msisdn"],
                                        customer__in=Customer.objects.visible_to(request.user).values("pk"))
                    .select_related("customer").order_by("-activated_on").first())
            if line is None:
                form.add_error("msisdn", _("No customer of yours has this number."))
            else:
                try:
                    services.tag_member(campaign=campaign, customer=line.customer, by=request.user,
                                        how=form.cleaned_data["how"],
                                        override_reason=form.cleaned_data["override_reason"])
                    messages.success(request, _("Customer tagged: counted from today."))
                    return redirect("marketing:campaign-members", pk=campaign.pk)
                except ValidationError as exc:
                    _form_errors(form, exc)
        return self._render(request, campaign, form)
