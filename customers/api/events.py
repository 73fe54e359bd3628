"""GET /api/billing/events/?after=<cursor>&limit=: the decision events billing acts on, cursor-paged.

At least once: a client stores the last `id` it has acted on and asks for what comes after; an event is read
again only if the client asks again from an older cursor. Webhook bodies carry the same document."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import IntakeSerializer
from customers import events
from customers.api.inputs import needs
from customers.choices import DecisionKind

MAX_LIMIT = 1000


def needs_view_events():
    return needs("customers.view_decisionevent")


class DecisionEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="seq", help_text="the cursor: ask for events after the last id acted on")
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    line_id = serializers.IntegerField()
    msisdn = serializers.CharField()
    from_state = serializers.CharField(help_text="the barring state before (a credit limit: the old limit)")
    to_state = serializers.CharField(help_text="the barring state after (a credit limit: the new limit)")
    rule = serializers.CharField(help_text="the policy rule that decided it")
    policy_version = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    details = serializers.DictField(source="payload", help_text="figures named as TMF666 names them: accountBalance, "
                                                                "creditLimit, usableCredit, validUntil …")


class EventQuerySerializer(IntakeSerializer):
    after = serializers.IntegerField(min_value=0, max_value=2**62, default=0,
                                     help_text="the last event id acted on (0: from the start)")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=100)


class EventPageSerializer(serializers.Serializer):
    events = DecisionEventSerializer(many=True)
    next_cursor = serializers.IntegerField(help_text="pass as `after` for the next page")
    has_more = serializers.BooleanField()


def event_document(event) -> dict:
    return DecisionEventSerializer(event).data


class DecisionEventListView(APIView):
    def get_permissions(self):
        return [needs_view_events()()]

    @extend_schema(parameters=[EventQuerySerializer], responses={200: EventPageSerializer},
                   operation_id="billing_events_list")
    def get(self, request):
        query = EventQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        events.events_sequence()
        page = events.events_after(after, limit=limit + 1, user=request.user)
        more, page = len(page) > limit, page[:limit]
        return Response({"events": [event_document(e) for e in page],
                         "next_cursor": page[-1].seq if page else after, "has_more": more})
