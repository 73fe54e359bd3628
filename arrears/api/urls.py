from django.urls import path

from arrears.api.intake import BulkLineStatusView, BulkUsageView, LineStatusView, UsageView
from arrears.api.actions import EmergencyContinuityView, ExemptionView, LateFeeWaiverView
from arrears.api.queue import CollectionQueueViewSet
from arrears.api.views import BillView, BulkBillView, BulkPaymentView, PaymentView

urlpatterns = [
    path("billing/payments/", PaymentView.as_view(), name="billing-payments"),
    path("billing/payments/bulk/", BulkPaymentView.as_view(), name="billing-payments-bulk"),
    path("billing/bills/", BillView.as_view(), name="billing-bills"),
    path("billing/bills/bulk/", BulkBillView.as_view(), name="billing-bills-bulk"),
    path("billing/usage/", UsageView.as_view(), name="billing-usage"),
    path("billing/usage/bulk/", BulkUsageView.as_view(), name="billing-usage-bulk"),
    path("billing/line-status/", LineStatusView.as_view(), name="billing-line-status"),
    path("billing/line-status/bulk/", BulkLineStatusView.as_view(), name="billing-line-status-bulk"),
    path("lines/<str:msisdn>/emergency-continuity/", EmergencyContinuityView.as_view(), name="emergency-continuity"),
    path("lines/<str:msisdn>/exemption/", ExemptionView.as_view(), name="line-exemption"),
    path("lines/<str:msisdn>/late-fee-waiver/", LateFeeWaiverView.as_view(), name="late-fee-waiver"),
    path("collection-queue/", CollectionQueueViewSet.as_view({"get": "list"}), name="collection-queue"),
]
