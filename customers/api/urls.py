from django.urls import path
from rest_framework.routers import DefaultRouter

from customers.api.bulk import BulkOnboardView
from customers.api.events import DecisionEventListView
from customers.api.views import CustomerViewSet, LineViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("lines", LineViewSet, basename="line")
# before the router: "customers/bulk/" is not a customer id
urlpatterns = [path("customers/bulk/", BulkOnboardView.as_view(), name="customer-bulk"), *router.urls,
               path("billing/events/", DecisionEventListView.as_view(), name="billing-events")]
