from django.urls import path
from rest_framework.routers import DefaultRouter

from customers.api.inputs import INPUTS, VIEWS, CustomerInputsView
from customers.api.onboarding import BulkOnboardingView
from customers.api.views import CustomerViewSet, LineViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("lines", LineViewSet, basename="line")
# The inputs operators have besides billing (issue 13): single and bulk, before the router's detail routes.
input_patterns = [pattern for url, name, _, _ in INPUTS for pattern in (
    path(f"inputs/{url}/", VIEWS[name][0].as_view(), name=name),
    path(f"inputs/{url}/bulk/", VIEWS[name][1].as_view(), name=f"{name}-bulk"),
)]
urlpatterns = [*input_patterns, path("customers/bulk/", BulkOnboardingView.as_view(), name="customers-bulk"),
               path("customers/<int:pk>/inputs/", CustomerInputsView.as_view(), name="customer-inputs"),
               *router.urls]
