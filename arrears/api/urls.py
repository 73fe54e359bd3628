from django.urls import path

from arrears.api.views import BillView, BulkBillView, BulkPaymentView, PaymentView

urlpatterns = [
    path("billing/payments/", PaymentView.as_view(), name="billing-payments"),
    path("billing/payments/bulk/", BulkPaymentView.as_view(), name="billing-payments-bulk"),
    path("billing/bills/", BillView.as_view(), name="billing-bills"),
    path("billing/bills/bulk/", BulkBillView.as_view(), name="billing-bills-bulk"),
]
