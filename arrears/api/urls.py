from django.urls import path

from arrears.api.actions import EmergencyContinuityView, ExemptionView, LateFeeWaiverView
from arrears.api.views import BillView, BulkBillView, BulkPaymentView, PaymentView

urlpatterns = [
    path("billing/payments/", PaymentView.as_view(), name="billing-payments"),
    path("billing/payments/bulk/", BulkPaymentView.as_view(), name="billing-payments-bulk"),
    path("billing/bills/", BillView.as_view(), name="billing-bills"),
    path("billing/bills/bulk/", BulkBillView.as_view(), name="billing-bills-bulk"),
    path("lines/<str:msisdn>/emergency-continuity/", EmergencyContinuityView.as_view(), name="emergency-continuity"),
    path("lines/<str:msisdn>/exemption/", ExemptionView.as_view(), name="line-exemption"),
    path("lines/<str:msisdn>/late-fee-waiver/", LateFeeWaiverView.as_view(), name="late-fee-waiver"),
]
