from django.urls import path

from credit.api.views import BulkCreditStatusView, CreditStatusView

urlpatterns = [
    path("credit-status/bulk/", BulkCreditStatusView.as_view(), name="credit-status-bulk"),
    path("credit-status/<str:msisdn>/", CreditStatusView.as_view(), name="credit-status"),
]
