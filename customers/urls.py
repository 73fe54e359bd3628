from django.urls import path

from customers import views

app_name = "customers"
# The 360 page (customers:detail) composes credit and arrears: workspace.urls adds it to this namespace.
urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("export.csv", views.CustomerExportView.as_view(), name="export"),
    path("onboard/", views.OnboardingView.as_view(), name="onboard"),
    path("callbacks/", views.CallbackListView.as_view(), name="callbacks"),
]
