"""The workspace's pages. The dashboard and audit sit at the root (config.urls); the customer 360 joins the
customers namespace, so its URL and name (customers:detail) stay as they were."""

from django.urls import path

from customers import urls as customers_urls
from workspace import views

customers_patterns = ([*customers_urls.urlpatterns,
                       path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail")], "customers")
