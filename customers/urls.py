from django.urls import path

from customers import views

app_name = "customers"
# The list (customers:list, with the current value) and the 360 page (customers:detail) compose arrears and
# credit: workspace.urls adds them to this namespace.
urlpatterns = [
    path("export.csv", views.CustomerExportView.as_view(), name="export"),
    path("onboard/", views.OnboardingView.as_view(), name="onboard"),
    path("callbacks/", views.CallbackListView.as_view(), name="callbacks"),
]
