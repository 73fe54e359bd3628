from rest_framework import serializers

from core.api.fields import MoneyField
from core.api.serializers import IntakeSerializer
from retention.choices import AlertStatus, Offer
from retention.models import AlertEvent, RetentionAlert


class AlertEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None, read_only=True)
    # plain strings: one AlertStatus enum in the schema (the transition's to_status), not three
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = AlertEvent
        fields = ["at", "by", "from_status", "to_status", "note"]


class RetentionAlertSerializer(serializers.ModelSerializer):
    account_manager = serializers.CharField(source="account_manager.username", default=None, read_only=True)
    events = AlertEventSerializer(many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text="open, contacted, offer_made, retained, churned, "
                                                             "dismissed")

    class Meta:
        model = RetentionAlert
        fields = ["id", "customer", "account_manager", "opened_at", "status", "score", "probability", "scored_by",
                  "signals", "suggested_offers", "offer", "outcome", "offer_cost", "notes", "closed_at", "events"]
        read_only_fields = fields


class AlertTransitionSerializer(IntakeSerializer):
    to_status = serializers.ChoiceField(choices=AlertStatus.choices)
    offer = serializers.ChoiceField(choices=Offer.choices, required=False, default="")
    offer_cost = MoneyField(operation="retention_offer", minimum="0.00", required=False, allow_null=True,
                            default=None)
    outcome = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    note = serializers.CharField(required=False, default="", allow_blank=True)
