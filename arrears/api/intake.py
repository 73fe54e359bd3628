"""Billing intake of what is not money: usage summaries and line status changes, single and bulk, each write
under an Idempotency-Key (the same machinery and error shape as payments and bills)."""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, ValidationError

from arrears import bulk, services
from arrears.api.serializers import (LineStatusInSerializer, LineStatusResultSerializer, UsageInSerializer,
                                     UsageResultSerializer)
from arrears.api.views import posting_views
from customers import bulk as customers_bulk
from customers import intake


def _refusal_as_error(call):
    try:
        return call()
    except intake.IntakeRefused as exc:
        raise ValidationError({exc.field: [ErrorDetail(str(exc), code=exc.code)]}) from exc


class UsageMixin:
    item_serializer = UsageInSerializer
    result_serializer = UsageResultSerializer
    permission_required = "customers.add_usagesummary"

    def post_bulk(self, entries, user, partial):
        out = customers_bulk.usage_summaries_record_bulk(items=entries, today=timezone.localdate(), partial=partial)
        # each line's answer: the barring state the policy gives now, as for a single usage post, for all at once
        positions = bulk.usage_decide_bulk(line_ids={usage.line.pk for usage in out.results.values()}, by=user)
        for pos, usage in out.results.items():
            out.results[pos] = _usage_answer(usage, positions[usage.line.pk])
        return out

    def post_item(self, line, data, user):
        figures = {k: v for k, v in data.items() if k in intake.USAGE_FIELDS}
        usage = _refusal_as_error(lambda: intake.usage_summary_record(line=line, month=data["month"], figures=figures,
                                                                      today=timezone.localdate()))
        # the barring state the policy gives now, in the same transaction (issue 20: every intake answers it)
        return _usage_answer(usage, services.usage_decide(line=line, by=user))


class UsageAnswer(NamedTuple):  # what UsageResultSerializer reads, 10,000 of them in a bulk post
    line: object
    month: date
    created: bool
    state: str
    rule: str
    applied: bool
    usable_credit: Decimal


def _usage_answer(usage, position) -> UsageAnswer:
    return UsageAnswer(usage.line, usage.month, usage.created, position.state, position.rule, position.applied,
                       position.usable_credit)


class LineStatusMixin:
    item_serializer = LineStatusInSerializer
    result_serializer = LineStatusResultSerializer
    permission_required = "customers.add_linestatuschange"
    bulk_service = customers_bulk.line_statuses_report_bulk

    def post_item(self, line, data, user):
        return _refusal_as_error(lambda: intake.line_status_report(
            line=line, status=data["status"], changed_at=data["changed_at"], reason=data["reason"], by=user))


UsageView, BulkUsageView = posting_views("Usage", UsageMixin, "usage")
LineStatusView, BulkLineStatusView = posting_views("LineStatus", LineStatusMixin, "line-status")
