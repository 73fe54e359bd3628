from django.urls import path

from arrears import views, views_policy

app_name = "arrears"
urlpatterns = [
    path("collection/", views.CollectionQueueView.as_view(), name="collection"),
    path("collection/export.csv", views.CollectionQueueExportView.as_view(), name="collection-export"),
    path("collection/<int:pk>/", views.CollectionItemView.as_view(), name="collection-item"),
    path("report/", views.ArrearsReportView.as_view(), name="report"),
    path("barring-policy/", views_policy.BarringPolicyListView.as_view(), name="policies"),
    path("barring-policy/draft/", views_policy.BarringDraftCreateView.as_view(), name="policy-draft"),
    path("barring-policy/<int:pk>/", views_policy.BarringPolicyView.as_view(), name="policy"),
    path("barring-policy/<int:pk>/publish/", views_policy.BarringPolicyPublishView.as_view(), name="policy-publish"),
    path("sp-settlement/", views.SpSettlementView.as_view(), name="sp-settlement"),
]
