"""Billing intake: payments and bills, single and bulk, each write under an Idempotency-Key."""

import functools
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from arrears import bulk, services
from arrears.api.serializers import BillInSerializer, PaymentInSerializer, PostingResultSerializer
from arrears.sql.intake import msisdn_in
from core.api.idempotency import idempotent, write_views
from core import policies
from core.api.errors import field_messages
from core.api.serializers import bulk_result_serializer
from core.api.viewsets import ScopedAPIView
from core.scope import customer_scope_q
from customers import bulk_validate
from customers.api.bulk import BulkPostView
from customers.bulk_types import CustomerRef, LineRef
from customers.models import Line

UNKNOWN_LINE = "No line with this number (or not yours to post to)."


def lines_by_msisdn(user, numbers, *, lean: bool = False) -> dict[str, Line]:
    """`lean`: only what the bulk services read, as LineRef (a 10,000-item post builds no model instances)."""
    # the scope as a condition on the line's own customer (Customer.objects.visible_to's rule), not a semi-join
    # with the customers a user sees: for a province-wide role none at all; unordered (Line's Meta orders by msisdn:
    # a sort of 10,000 numbers for a dict looked up by number)
    lines = Line.objects.filter(msisdn_in(numbers)).filter(customer_scope_q(user, "customer__")).order_by()
    if lean:
        return {msisdn: LineRef(pk, msisdn, customer_id, status, CustomerRef(customer_id, joined))
                for pk, msisdn, customer_id, status, joined in lines.values_list(
                    "id", "msisdn", "customer_id", "status", "customer__join_date")}
    return {line.msisdn: line for line in lines.select_related("customer")}


class PostingView(ScopedAPIView):
    """One item: validate, find the line (404), post through the service, answer the line's new position."""

    item_serializer = None
    result_serializer = PostingResultSerializer
    endpoint = ""
    item_service = None  # item_service(line=, by=, **the item's fields but its msisdn and currency): the posting

    def post_item(self, line, data, user):
        fields = {k: v for k, v in data.items() if k not in {"msisdn", "currency"}}
        return type(self).item_service(line=line, by=user, **fields)

    def post_checked(self, line, data, user):
        """`post_item` once the item's dates are known not to predate the customer (ValidationError if they do,
        also for a rule of the service such as a balance out of range)."""
        errors = {}
        for field, month in self.item_serializer.customer_dates.items():
            value = data[field]
            day = timezone.localdate(value) if isinstance(value, datetime) else value
            if refusal := policies.joined_refusal(day, joined=line.customer.join_date, month=month):
                errors[field] = [ErrorDetail(str(refusal), code=refusal.code)]
        if errors:
            raise ValidationError(errors)
        try:
            return self.post_item(line, data, user)
        except DjangoValidationError as exc:
            raise ValidationError(as_serializer_error(exc)) from exc

    def post(self, request):
        def handle():
            body = self.item_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            line = lines_by_msisdn(request.user, [body.validated_data["msisdn"]]).get(body.validated_data["msisdn"])
            if line is None:
                raise NotFound({"msisdn": UNKNOWN_LINE})
            try:
                result = self.post_checked(line, body.validated_data, request.user)
            except services.DuplicatePosting as exc:
                raise ValidationError({"reference": [str(exc)]}, code="duplicate") from exc
            return Response(self.result_serializer(result).data, status=status.HTTP_201_CREATED)

        return idempotent(request, self.endpoint, handle)


class BulkPostingView(BulkPostView, PostingView):
    """Up to 10,000 items. Default all-or-nothing: one bad item (index, field, rule) and nothing is written,
    because billing then resends one corrected file; with "partial": true the good items are written and
    the bad ones reported with their index."""

    bulk_service = None  # bulk_service(items=, by=, partial=): the intake's set-based service

    def post_bulk(self, entries: list[dict], user, partial: bool):
        """The set-based bulk service of this intake: entries are the validated items with their "line"."""
        return type(self).bulk_service(items=entries, by=user, partial=partial)

    def _date_errors(self, line, data, zone) -> dict:
        """The item's dates may not predate the customer (the single path's `post_checked` rule); `zone`: the
        current time zone (timezone.localdate's, read once per batch)."""
        errors = {}
        for field, month in self.item_serializer.customer_dates.items():
            value = data[field]
            day = value.astimezone(zone).date() if isinstance(value, datetime) else value
            if refusal := policies.joined_refusal(day, joined=line.customer.join_date, month=month):
                errors[field] = [ErrorDetail(str(refusal), code=refusal.code)]
        return errors

    def bulk_write(self, request, good: list[tuple[int, dict]], errors: dict, partial: bool) -> dict:
        """The valid items (with their index) to the set-based bulk service at once, after the checks that need
        the line; `errors`: the items already refused ({index: field errors})."""
        errors = dict(errors)
        lines = lines_by_msisdn(request.user, [data["msisdn"] for _, data in good], lean=True)
        entries, indexes, zone = [], [], timezone.get_current_timezone()
        for index, data in good:
            line = lines.get(data["msisdn"])
            if line is None:
                errors[index] = {"msisdn": [UNKNOWN_LINE]}
            elif found := self._date_errors(line, data, zone):
                errors[index] = found
            else:
                entries.append({**data, "line": line})
                indexes.append(index)
        if errors and not partial:
            raise ValidationError({"items": {i: e for i, e in sorted(errors.items())}})
        results = []
        with transaction.atomic():
            try:
                outcome = self.post_bulk(entries, request.user, partial)
            except services.DuplicatePosting as exc:  # a concurrent request posted the same item meanwhile
                raise ValidationError({"items": [str(exc)]}, code="duplicate") from exc
            for pos, found in outcome.errors.items():
                errors[indexes[pos]] = found
            if errors and not partial:
                transaction.set_rollback(True)
                raise ValidationError({"items": {i: e for i, e in sorted(errors.items())}})
            represent = _representer(self.result_serializer)  # result_serializer(result).data, item for item
            results = [represent(result, {"index": indexes[pos]}) for pos, result in sorted(outcome.results.items())]
        return {"posted": len(results), "failed": len(errors), "results": results,
                "errors": [{"index": i, "errors": field_messages(e)} for i, e in sorted(errors.items())]}


_representer = functools.cache(bulk_validate.representer)


class PaymentMixin:
    item_serializer = PaymentInSerializer
    permission_required = "arrears.add_payment"
    item_service, bulk_service = services.payment_record, bulk.payments_record_bulk


class BillMixin:
    item_serializer = BillInSerializer
    permission_required = "arrears.add_bill"
    item_service, bulk_service = services.bill_record, bulk.bills_record_bulk


def posting_views(name: str, mixin, endpoint: str):
    """The intake of one kind of posting (`mixin`: its serializer, permission and services): <name>View at
    `endpoint` and Bulk<name>View at `endpoint`/bulk."""
    result = getattr(mixin, "result_serializer", PostingResultSerializer)
    return write_views(name, (mixin, PostingView), (mixin, BulkPostingView), item=mixin.item_serializer,
                       result=result, bulk_result=bulk_result_serializer(result), endpoint=endpoint)


PaymentView, BulkPaymentView = posting_views("Payment", PaymentMixin, "payments")
BillView, BulkBillView = posting_views("Bill", BillMixin, "bills")
