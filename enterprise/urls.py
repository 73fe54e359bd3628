from django.urls import path

from enterprise import account_views, views

app_name = "enterprise"
urlpatterns = [
    path("workbench/", views.WorkbenchView.as_view(), name="workbench"),
    path("accounts/", views.AccountListView.as_view(), name="accounts"),
    path("accounts/new/", account_views.AccountCreateView.as_view(), name="account-create"),
    path("accounts/<int:pk>/edit/", account_views.AccountEditView.as_view(), name="account-edit"),
    path("accounts/<int:pk>/key-people/new/", account_views.KeyPersonFormView.as_view(creating=True),
         name="key-person-create"),
    path("key-people/<int:pk>/edit/", account_views.KeyPersonFormView.as_view(), name="key-person-edit"),
    path("accounts/<int:pk>/agreements/new/", account_views.AgreementFormView.as_view(creating=True),
         name="agreement-create"),
    path("agreements/<int:pk>/edit/", account_views.AgreementFormView.as_view(), name="agreement-edit"),
    path("accounts/<int:pk>/products/new/", account_views.ProductFormView.as_view(creating=True),
         name="product-create"),
    path("products/<int:pk>/edit/", account_views.ProductFormView.as_view(), name="product-edit"),
    path("accounts/export/", views.AccountExportView.as_view(), name="account-export"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="account"),
    path("accounts/<int:pk>/reassign/", views.AccountReassignView.as_view(), name="account-reassign"),
    path("accounts/<int:pk>/tasks/new/", views.TaskCreateView.as_view(), name="task-create"),
    path("accounts/<int:pk>/interactions/new/", views.InteractionCreateView.as_view(), name="interaction-create"),
    path("accounts/<int:pk>/service-days/new/", views.ServiceDayCreateView.as_view(), name="service-day-create"),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task"),
    path("alerts/<int:pk>/close/", views.AlertCloseView.as_view(), name="alert-close"),
    path("service-days/", views.ServiceDayListView.as_view(), name="service-days"),
    path("service-days/collect/", views.ServiceDayCollectView.as_view(), name="service-day-collect"),
    path("service-days/reports/", views.ServiceDayReportListView.as_view(), name="service-day-reports"),
    path("service-days/reports/<int:pk>/submit/", views.ServiceDayReportSubmitView.as_view(),
         name="service-day-report-submit"),
    path("opportunities/", views.OpportunityListView.as_view(), name="opportunities"),
    path("opportunities/new/", views.OpportunityCreateView.as_view(), name="opportunity-create"),
    path("opportunities/<int:pk>/", views.OpportunityDetailView.as_view(), name="opportunity"),
    path("reports/", views.ReportView.as_view(), name="reports"),
]
