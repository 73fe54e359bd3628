from django.urls import path

from credit import governs_views, views, views_config

app_name = "credit"
urlpatterns = [
    path("models/", views.ScoringModelListView.as_view(), name="models"),
    path("models/<int:pk>/", views.ScoringModelDetailView.as_view(), name="model"),
    path("models/<int:pk>/edit/", views_config.ScoringModelEditView.as_view(), name="model-edit"),
    path("models/<int:pk>/factors/add/", views_config.FactorAddView.as_view(), name="factor-add"),
    path("factors/<int:pk>/", views_config.FactorEditView.as_view(), name="factor-edit"),
    path("factors/<int:pk>/remove/", views_config.FactorRemoveView.as_view(), name="factor-remove"),
    path("models/<int:pk>/publish/", views_config.ScoringModelPublishView.as_view(), name="model-publish"),
    path("models/<int:pk>/preview/", views.ScoringModelActionView.as_view(), {"action": "preview"},
         name="model-preview"),
    path("models/<int:pk>/challenge/", views.ScoringModelActionView.as_view(), {"action": "challenge"},
         name="model-challenge"),
    path("models/<int:pk>/copy/", views.ScoringModelActionView.as_view(), {"action": "copy"}, name="model-copy"),
    path("customers/<int:pk>/limit/", views.LimitChangeView.as_view(), name="limit-change"),
    path("report/", views.CreditReportView.as_view(), name="report"),
    path("blacklist/", governs_views.BlacklistListView.as_view(), name="blacklist"),
    path("blacklist/add/", governs_views.BlacklistAddView.as_view(), name="blacklist-add"),
    path("blacklist/<int:pk>/edit/", governs_views.BlacklistEditView.as_view(), name="blacklist-edit"),
    path("customers/<int:pk>/blacklist/clear/", governs_views.BlacklistClearView.as_view(), name="blacklist-clear"),
    path("customers/<int:pk>/sim-replacement/", governs_views.SimReplacementView.as_view(), name="sim-replacement"),
    path("sms-templates/", views_config.SmsTemplateListView.as_view(), name="sms-templates"),
    path("sms-templates/<int:pk>/", views_config.SmsTemplateEditView.as_view(), name="sms-template"),
    path("extended-services/", views_config.ExtendedPolicyListView.as_view(), name="extended-policies"),
    path("extended-services/<int:pk>/", views_config.ExtendedPolicyEditView.as_view(), name="extended-policy"),
    path("four-eyes/", views.FourEyesListView.as_view(), name="four-eyes"),
    path("four-eyes/<int:pk>/approve/", views.FourEyesDecisionView.as_view(), {"decision": "approve"},
         name="four-eyes-approve"),
    path("four-eyes/<int:pk>/reject/", views.FourEyesDecisionView.as_view(), {"decision": "reject"},
         name="four-eyes-reject"),
    path("four-eyes/<int:pk>/withdraw/", views.FourEyesDecisionView.as_view(), {"decision": "withdraw"},
         name="four-eyes-withdraw"),
]
