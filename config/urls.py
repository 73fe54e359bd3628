from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from core import views as core_views
from core.api.tokens import TokenRotateView
from core.forms import LoginForm
from core.ops import health
from customers import views as customer_views
from enterprise import views as enterprise_views
from workspace import urls as workspace_urls, views as workspace_views

api_patterns = [
    path("auth/token/rotate/", TokenRotateView.as_view(), name="api-token-rotate"),
    path("", include("customers.api.urls")),
    path("", include("credit.api.urls")),
    path("", include("retention.api.urls")),
    path("", include("arrears.api.urls")),
    path("", include("enterprise.api.urls")),
    path("", include("marketing.api.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("", workspace_views.DashboardView.as_view(), name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html", authentication_form=LoginForm),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("batches/", core_views.BatchRunListView.as_view(), name="batch-runs"),
    path("saved-filters/", core_views.SavedFilterSaveView.as_view(), name="saved-filter-save"),
    path("saved-filters/<int:pk>/delete/", core_views.SavedFilterDeleteView.as_view(), name="saved-filter-delete"),
    path("lookup/users/", core_views.StaffLookupView.as_view(), name="lookup-users"),
    path("lookup/customers/", customer_views.CustomerLookupView.as_view(), name="lookup-customers"),
    path("lookup/enterprise-accounts/", enterprise_views.AccountLookupView.as_view(),
         name="lookup-enterprise-accounts"),
    path("audit/", workspace_views.AuditView.as_view(), name="audit"),
    path("customers/", include(workspace_urls.customers_patterns)),
    path("credit/", include("credit.urls")),
    path("retention/", include("retention.urls")),
    path("arrears/", include("arrears.urls")),
    path("enterprise/", include("enterprise.urls")),
    path("marketing/", include("marketing.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    # The schema and its docs are for signed-in staff and service accounts, not the public.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[IsAuthenticated]),
         name="api-docs"),
]

# Errors outside the API's views: JSON under /api/, Django's pages elsewhere.
handler400 = "core.api.errors.bad_request"
handler403 = "core.api.errors.permission_denied"
handler404 = "core.api.errors.page_not_found"
handler500 = "core.api.errors.server_error"
