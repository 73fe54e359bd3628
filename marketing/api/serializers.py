from rest_framework import serializers

from core.api.fields import MoneyField
from core.api.serializers import IntakeSerializer, RejectUnknownFields
from marketing.choices import CampaignStatus, OpinionVerdict, RiskControl
from customers.choices import MemberHow
from marketing.models import Campaign, CampaignDecision, CampaignMember, ReviewOpinion
from marketing.services import EDITABLE_FIELDS


class CampaignDecisionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)
    # plain strings: one CampaignStatus enum in the schema (the transition's to_status)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = CampaignDecision
        fields = ["action", "from_status", "to_status", "by", "at", "reason", "review_round"]
        read_only_fields = fields


class ReviewOpinionSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    answered_by = serializers.CharField(source="answered_by.username", read_only=True, allow_null=True)

    class Meta:
        model = ReviewOpinion
        fields = ["id", "review_round", "control", "verdict", "comment", "reviewer", "at", "answer", "answered_by",
                  "answered_at"]
        read_only_fields = fields


class OpinionInputSerializer(serializers.Serializer):
    control = serializers.ChoiceField(choices=RiskControl.choices)
    verdict = serializers.ChoiceField(choices=OpinionVerdict.choices)
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=1000)


class OpinionsRequestSerializer(serializers.Serializer):
    """The reviewer's opinions for the current round, one per risk control (a later one replaces it)."""

    opinions = OpinionInputSerializer(many=True, allow_empty=False, max_length=len(RiskControl.choices))


class AnswerInputSerializer(serializers.Serializer):
    opinion = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="id of a \"must change\" opinion")
    answer = serializers.CharField(max_length=2000, help_text="what was changed, or why not")


class AnswersRequestSerializer(serializers.Serializer):
    """The author's answers to the "must change" opinions of the round that returned the campaign."""

    answers = AnswerInputSerializer(many=True, allow_empty=False, max_length=len(RiskControl.choices))


class RoundChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class RoundChangesSerializer(serializers.Serializer):
    round = serializers.IntegerField(allow_null=True, help_text="the review round whose version is compared; "
                                                                "null before anything was reviewed")
    changes = RoundChangeSerializer(many=True)


def campaign_money(**kwargs):
    return MoneyField(operation="campaign", minimum="0.00", **kwargs)


class CampaignSerializer(RejectUnknownFields, serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft, submitted, in_review, approved, returned, "
                                                             "rejected, running, closed")
    segment = serializers.JSONField(required=False, help_text=(
        "rules over customer fields: region, brand (ids), star ('unrated', '0'–'5'), status, lifecycle_stage "
        "(lists); tenure_min/max (months), spend_min/max (CNY), saturation_min/max (%), enterprise_member (bool)"))
    # a plain integer: the model field's star choices would be a second CreditStar enum in the schema
    min_star = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=5,
                                        help_text="minimum credit star (0–5); null: no minimum")
    monthly_revenue = campaign_money(required=False)
    monthly_cost = campaign_money(required=False)
    incentive_per_customer = campaign_money(required=False)
    deposit = campaign_money(required=False)
    limit_cap = campaign_money(required=False, allow_null=True)
    usage_cap = campaign_money(required=False, allow_null=True)
    decisions = CampaignDecisionSerializer(many=True, read_only=True)
    opinions = ReviewOpinionSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", *EDITABLE_FIELDS, "status", "author", "review_round", "forecast", "created_at",
                  "launched_at", "closed_at", "decisions", "opinions"]
        read_only_fields = ["review_round", "forecast", "created_at", "launched_at", "closed_at"]


class TransitionSerializer(IntakeSerializer):
    to_status = serializers.ChoiceField(choices=CampaignStatus.choices)
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)


class SegmentCountRequestSerializer(IntakeSerializer):
    segment = serializers.JSONField(help_text="the segment rules, as on a campaign")
    min_star = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=5)


class SegmentCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class MemberTagSerializer(IntakeSerializer):
    customer = serializers.IntegerField(min_value=1, max_value=2**62)
    how = serializers.ChoiceField(choices=[MemberHow.ACQUIRED, MemberHow.CONVERTED])
    override_reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True,
                                            help_text="a credit officer tagging a customer outside the segment: why")


class CampaignMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignMember
        fields = ["campaign", "customer", "how", "tagged_at", "override_reason"]
        read_only_fields = fields


class RiskAssessmentSerializer(serializers.Serializer):
    """The computed assessment (money as strings)."""

    size = serializers.IntegerField()
    stars = serializers.DictField(child=serializers.IntegerField())
    exposure_total = serializers.CharField()
    expected_in_arrears = serializers.CharField()
    expected_churn = serializers.CharField()
    per_star = serializers.ListField(child=serializers.DictField())
    history = serializers.DictField()
    history_source = serializers.CharField()
    overlap = serializers.DictField()
    warnings = serializers.ListField(child=serializers.DictField())
    blocking = serializers.ListField(child=serializers.CharField())
    tariff_ratio = serializers.CharField(allow_null=True)
    participants = serializers.IntegerField()
    revenue = serializers.DictField(child=serializers.CharField())
