from django.urls import path

from credit import governs_views, views

app_name = "credit"
urlpatterns = [
    path("models/", views.ScoringModelListView.as_view(), name="models"),
    path("models/<int:pk>/", views.ScoringModelDetailView.as_view(), name="model"),
    path("models/<int:pk>/publish/", views.ScoringModelActionView.as_view(), {"action": "publish"},
         name="model-publish"),
    path("models/<int:pk>/preview/", views.ScoringModelActionView.as_view(), {"action": "preview"},
         name="model-preview"),
    path("models/<int:pk>/challenge/", views.ScoringModelActionView.as_view(), {"action": "challenge"},
         name="model-challenge"),
    path("models/<int:pk>/copy/", views.ScoringModelActionView.as_view(), {"action": "copy"}, name="model-copy"),
    path("customers/<int:pk>/limit/", views.LimitChangeView.as_view(), name="limit-change"),
    path("report/", views.CreditReportView.as_view(), name="report"),
    path("blacklist/", governs_views.BlacklistListView.as_view(), name="blacklist"),
    path("blacklist/add/", governs_views.BlacklistAddView.as_view(), name="blacklist-add"),
    path("customers/<int:pk>/blacklist/clear/", governs_views.BlacklistClearView.as_view(), name="blacklist-clear"),
    path("customers/<int:pk>/sim-replacement/", governs_views.SimReplacementView.as_view(), name="sim-replacement"),
    path("four-eyes/", views.FourEyesListView.as_view(), name="four-eyes"),
    path("four-eyes/<int:pk>/approve/", views.FourEyesDecisionView.as_view(), {"decision": "approve"},
         name="four-eyes-approve"),
    path("four-eyes/<int:pk>/reject/", views.FourEyesDecisionView.as_view(), {"decision": "reject"},
         name="four-eyes-reject"),
]
