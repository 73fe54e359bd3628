from django.urls import path
from rest_framework.routers import SimpleRouter

from credit.api.views import (
    BulkCreditStatusView, CreditStatusView, ExtendedRequestView, FourEyesRequestViewSet, LimitChangeView,
)

from credit.api import governs

router = SimpleRouter()
router.register("credit/four-eyes", FourEyesRequestViewSet, basename="four-eyes")

urlpatterns = [
    path("customers/<int:pk>/credit-limit/", LimitChangeView.as_view(), name="credit-limit-change"),
    path("credit/extended-requests/", ExtendedRequestView.as_view(), name="extended-requests"),
    path("credit-status/bulk/", BulkCreditStatusView.as_view(), name="credit-status-bulk"),
    path("credit-status/<str:msisdn>/", CreditStatusView.as_view(), name="credit-status"),
    path("credit/blacklist/", governs.BlacklistView.as_view(), name="blacklist-entries"),
    path("customers/<int:pk>/blacklist/clear/", governs.BlacklistClearView.as_view(), name="blacklist-clear"),
    path("customers/<int:pk>/service-terms/", governs.ServiceTermsView.as_view(), name="service-terms"),
    path("customers/<int:pk>/sim-replacements/", governs.SimReplacementView.as_view(), name="sim-replacements"),
    path("customers/<int:pk>/rebates/", governs.RebateView.as_view(), name="rebates"),
    path("credit/rebates/<int:pk>/verify/", governs.RebateVerifyView.as_view(), name="rebate-verify"),
    path("credit/rating-runs/", governs.RatingRunView.as_view(), name="rating-runs"),
    *router.urls,
]
