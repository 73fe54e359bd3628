from django.urls import path

from arrears import views

app_name = "arrears"
urlpatterns = [
    path("collection/", views.CollectionQueueView.as_view(), name="collection"),
    path("collection/export.csv", views.CollectionQueueExportView.as_view(), name="collection-export"),
    path("collection/<int:pk>/", views.CollectionItemView.as_view(), name="collection-item"),
    path("report/", views.ArrearsReportView.as_view(), name="report"),
    path("sp-settlement/", views.SpSettlementView.as_view(), name="sp-settlement"),
]
