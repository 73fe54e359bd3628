from django.urls import path

from retention import views

app_name = "retention"
urlpatterns = [
    path("alerts/", views.AlertListView.as_view(), name="alerts"),
    path("alerts/<int:pk>/", views.AlertDetailView.as_view(), name="alert"),
    path("models/", views.ChurnModelsView.as_view(), name="models"),
    path("models/<int:pk>/publish/", views.ChurnModelPublishView.as_view(), name="model-publish"),
    path("report/", views.EffectivenessReportView.as_view(), name="report"),
]
