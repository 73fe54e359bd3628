from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.roles import user_role

# (label, url name, permission needed or None). Later issues add their sections here.
NAVIGATION = [
    (_("Dashboard"), "dashboard", None),
    (_("Customers"), "customers:list", "customers.view_customer"),
    (_("Onboard customer"), "customers:onboard", "customers.add_customer"),
    (_("My callbacks"), "customers:callbacks", "customers.add_customer"),
    (_("Credit models"), "credit:models", "credit.view_scoringmodel"),
    (_("Credit report"), "credit:report", "credit.view_rating"),
    (_("Collection queue"), "arrears:collection", "arrears.view_collectioncase"),
    (_("Arrears report"), "arrears:report", "arrears.view_lineaccount"),
    (_("SP settlement"), "arrears:sp-settlement", "arrears.view_spcharge"),
    (_("Retention alerts"), "retention:alerts", "retention.view_retentionalert"),
    (_("Retention report"), "retention:report", "retention.view_retentionalert"),
    (_("Enterprise workbench"), "enterprise:workbench", "enterprise.view_enterpriseaccount"),
    (_("Enterprise accounts"), "enterprise:accounts", "enterprise.view_enterpriseaccount"),
    (_("Service days"), "enterprise:service-days", "enterprise.view_servicedayorder"),
    (_("Campaigns"), "marketing:campaigns", "marketing.view_campaign"),
    (_("Batch runs"), "batch-runs", "core.view_batchrun"),
    (_("Audit"), "audit", "customers.view_personaldataaccess"),
    (_("API docs"), "api-docs", None),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = [
        {"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name)) and name != "dashboard"}
        for label, name, perm in NAVIGATION
        if perm is None or user.has_perm(perm)
    ]
    role = user_role(user)
    return {"nav_items": items, "current_role": Role(role).label if role else ""}
