"""The workspace's pages. The dashboard and audit sit at the root (config.urls); the customer list (with arrears'
current value), the 360 and its actions join the customers namespace, so their URLs and names (customers:list,
customers:detail) stay as they were."""

from django.urls import path

from customers import urls as customers_urls
from workspace import actions, views

customers_patterns = ([path("", views.CustomerListView.as_view(), name="list"),
                       *customers_urls.urlpatterns,
                       path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
                       path("<int:pk>/exemption/", actions.ExemptionView.as_view(), name="exemption"),
                       path("<int:pk>/waiver/", actions.WaiverView.as_view(), name="waiver"),
                       path("<int:pk>/emergency/", actions.EmergencyView.as_view(), name="emergency"),
                       path("alerts/<int:pk>/step/", actions.AlertStepView.as_view(), name="alert-step")],
                      "customers")
