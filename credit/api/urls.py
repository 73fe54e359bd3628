from django.urls import path
from rest_framework.routers import SimpleRouter

from credit.api.views import (
    BulkCreditStatusView, CreditStatusView, ExtendedRequestView, FourEyesRequestViewSet, LimitChangeView,
)

router = SimpleRouter()
router.register("credit/four-eyes", FourEyesRequestViewSet, basename="four-eyes")

urlpatterns = [
    path("customers/<int:pk>/credit-limit/", LimitChangeView.as_view(), name="credit-limit-change"),
    path("credit/extended-requests/", ExtendedRequestView.as_view(), name="extended-requests"),
    path("credit-status/bulk/", BulkCreditStatusView.as_view(), name="credit-status-bulk"),
    path("credit-status/<str:msisdn>/", CreditStatusView.as_view(), name="credit-status"),
    *router.urls,
]
