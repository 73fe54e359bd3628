from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api.viewsets import ScopedAPIView, ScopedViewSet
from customers.models import Customer
from marketing import policies, selectors, services
from marketing.api.serializers import (
    AnswersRequestSerializer, CampaignMemberSerializer, CampaignSerializer, MemberTagSerializer,
    OpinionsRequestSerializer, RiskAssessmentSerializer, RoundChangesSerializer, SegmentCountRequestSerializer,
    SegmentCountSerializer, TransitionSerializer,
)
from marketing.filtersets import CampaignFilterSet
from marketing.models import Campaign

ERRORS = {400: OpenApiResponse(description="invalid input: the error body names the field and the rule"),
          403: OpenApiResponse(description="not allowed (role, or the author's own campaign)"),
          404: OpenApiResponse(description="no such campaign (or customer outside the caller's scope)")}


DENIED = "You may not do this with campaigns."


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, ScopedViewSet):
    """Campaigns; `transition` moves one along the workflow (one service for page and API)."""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    queryset = Campaign.objects.none()  # for the schema; get_queryset is the real one
    # the actions' own permissions (a workflow step is a POST that changes, not adds); the rest: the model's
    permission_required = {"transition": "marketing.view_campaign", "risk_assessment": "marketing.view_campaign",
                           "changes": "marketing.view_campaign", "opinions": "marketing.review_campaign",
                           "answers": "marketing.change_campaign", "members": "marketing.tag_campaign_member"}
    permission_denied_message = DENIED

    def get_queryset(self):
        return selectors.campaign_list(user=self.request.user).prefetch_related("decisions__by", "opinions__reviewer")

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in services.EDITABLE_FIELDS}
        serializer.instance = services.campaign_create(author=self.request.user, **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in services.EDITABLE_FIELDS}
        serializer.instance = services.campaign_update(campaign=serializer.instance, by=self.request.user, **data)

    @extend_schema(request=TransitionSerializer, responses={200: CampaignSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the campaign: submit, start review, approve / return / reject (credit officers, not the
        author), resubmit, launch (tags the segment), close. Illegal steps are 400 naming the rule."""
        campaign = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.campaign_transition(campaign=campaign, by=request.user, **body.validated_data)
        except DjangoValidationError as e:
            codes = {err.code for errors in e.error_dict.values() for err in errors}
            if codes & policies.FORBIDDEN_CODES:
                raise PermissionDenied(" ".join(m for ms in e.message_dict.values() for m in ms)) from e
            raise
        return Response(CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(responses={200: RiskAssessmentSerializer, 403: ERRORS[403], 404: ERRORS[404]})
    @action(detail=True, methods=["get"], url_path="risk-assessment")
    def risk_assessment(self, request, pk=None):
        """The computed risk assessment, counts in the caller's scope."""
        campaign = self.get_object()
        assessment = selectors.risk_assessment(campaign=campaign, user=request.user, live=True)
        return Response(selectors.assessment_to_json(assessment))

    @extend_schema(request=OpinionsRequestSerializer, responses={200: CampaignSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def opinions(self, request, pk=None):
        """A credit officer's opinion per risk control for the current round (acceptable / concern / must
        change). An approval needs one on every risk control and no "must change" left open."""
        campaign = self.get_object()
        body = OpinionsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.opinions_record(campaign=campaign, by=request.user, opinions={
            o["control"]: (o["verdict"], o["comment"].strip()) for o in body.validated_data["opinions"]})
        return Response(CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=AnswersRequestSerializer, responses={200: CampaignSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """The author answers each "must change" opinion of the round that returned the campaign (what was
        changed, or why not); resubmitting needs every one answered."""
        campaign = self.get_object()
        body = AnswersRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.opinions_answer(campaign=campaign, by=request.user, answers={
            a["opinion"]: a["answer"] for a in body.validated_data["answers"]})
        return Response(CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(responses={200: RoundChangesSerializer, 403: ERRORS[403], 404: ERRORS[404]})
    @action(detail=True, methods=["get"])
    def changes(self, request, pk=None):
        """What the author changed since the version the last review round saw (the fields they write)."""
        campaign = self.get_object()
        return Response(selectors.round_changes(campaign=campaign) or {"round": None, "changes": []})

    @extend_schema(request=MemberTagSerializer, responses={201: CampaignMemberSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Tag a customer acquired or converted by a running campaign (billing or staff)."""
        campaign = self.get_object()
        body = MemberTagSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=body.validated_data["customer"])
        member = services.member_tag(campaign=campaign, customer=customer, by=request.user,
                                     **{k: body.validated_data[k] for k in ("how", "override_reason")})
        return Response(CampaignMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class SegmentCountView(ScopedAPIView):
    """How many customers (in the caller's scope) a segment targets: the same query as the page's live count."""

    permission_required = "marketing.view_campaign"
    permission_denied_message = DENIED

    @extend_schema(request=SegmentCountRequestSerializer, responses={200: SegmentCountSerializer, **ERRORS})
    def post(self, request):
        body = SegmentCountRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = selectors.segment_count(rules=body.validated_data["segment"],
                                        min_star=body.validated_data["min_star"], user=request.user)
        return Response({"count": count})
