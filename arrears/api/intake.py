"""Billing intake of what is not money: usage summaries and line status changes, single and bulk, each write
under an Idempotency-Key (the same machinery and error shape as payments and bills)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ErrorDetail, ValidationError

from arrears.api.serializers import (LineStatusInSerializer, LineStatusResultSerializer, UsageInSerializer,
                                     UsageResultSerializer, bulk_result_serializer, bulk_serializer)
from arrears.api.views import IDEMPOTENCY_PARAMETER, BulkPostingView, PostingView, needs
from customers import intake


def _refusal_as_error(call):
    try:
        return call()
    except intake.IntakeRefused as exc:
        raise ValidationError({exc.field: [ErrorDetail(str(exc), code=exc.code)]}) from exc


class UsageMixin:
    item_serializer = UsageInSerializer
    result_serializer = UsageResultSerializer
    permission_classes = [needs("customers.add_usagesummary")]

    def post_item(self, line, data, user):
        figures = {k: v for k, v in data.items() if k in intake.USAGE_FIELDS}
        return _refusal_as_error(lambda: intake.usage_summary_record(line=line, month=data["month"], figures=figures,
                                                                     today=timezone.localdate()))


class LineStatusMixin:
    item_serializer = LineStatusInSerializer
    result_serializer = LineStatusResultSerializer
    permission_classes = [needs("customers.add_linestatuschange")]

    def post_item(self, line, data, user):
        return _refusal_as_error(lambda: intake.line_status_report(
            line=line, status=data["status"], changed_at=data["changed_at"], reason=data["reason"], by=user))


@extend_schema(parameters=[IDEMPOTENCY_PARAMETER], request=UsageInSerializer, responses={201: UsageResultSerializer})
class UsageView(UsageMixin, PostingView):
    endpoint = "usage"


@extend_schema(parameters=[IDEMPOTENCY_PARAMETER], request=bulk_serializer(UsageInSerializer),
               responses={201: bulk_result_serializer(UsageResultSerializer),
                          200: bulk_result_serializer(UsageResultSerializer)})
class BulkUsageView(UsageMixin, BulkPostingView):
    endpoint = "usage/bulk"


@extend_schema(parameters=[IDEMPOTENCY_PARAMETER], request=LineStatusInSerializer,
               responses={201: LineStatusResultSerializer})
class LineStatusView(LineStatusMixin, PostingView):
    endpoint = "line-status"


@extend_schema(parameters=[IDEMPOTENCY_PARAMETER], request=bulk_serializer(LineStatusInSerializer),
               responses={201: bulk_result_serializer(LineStatusResultSerializer),
                          200: bulk_result_serializer(LineStatusResultSerializer)})
class BulkLineStatusView(LineStatusMixin, BulkPostingView):
    endpoint = "line-status/bulk"
