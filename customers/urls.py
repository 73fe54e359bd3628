from django.urls import path

from customers import views

app_name = "customers"
urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("export.csv", views.CustomerExportView.as_view(), name="export"),
    path("onboard/", views.OnboardingView.as_view(), name="onboard"),
    path("callbacks/", views.CallbackListView.as_view(), name="callbacks"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
]
