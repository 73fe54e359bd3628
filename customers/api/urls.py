from django.urls import path
from rest_framework.routers import DefaultRouter

from customers.api.events import DecisionEventListView
from customers.api.views import CustomerViewSet, LineViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("lines", LineViewSet, basename="line")
urlpatterns = router.urls + [path("billing/events/", DecisionEventListView.as_view(), name="billing-events")]
