from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import Role
from core.roles import user_role

# Sections of the top bar, each (label, [(label, url name, permission needed or None)]). A section the user
# has one page of shows as a link, more as a menu.
NAVIGATION = [
    (_("Dashboard"), [(_("Dashboard"), "dashboard", None)]),
    (_("Customers"), [
        (_("Customers"), "customers:list", "customers.view_customer"),
        (_("Onboard customer"), "customers:onboard", "customers.add_customer"),
        (_("My callbacks"), "customers:callbacks", "customers.add_customer")]),
    (_("Enterprise"), [
        (_("Enterprise workbench"), "enterprise:workbench", "enterprise.view_enterpriseaccount"),
        (_("Enterprise accounts"), "enterprise:accounts", "enterprise.view_enterpriseaccount"),
        (_("Service days"), "enterprise:service-days", "enterprise.view_servicedayorder")]),
    (pgettext_lazy("navigation", "Credit"), [
        (_("Credit models"), "credit:models", "credit.view_scoringmodel"),
        (_("Credit report"), "credit:report", "credit.view_rating"),
        (_("Four-eyes requests"), "credit:four-eyes", "credit.view_foureyesrequest"),
        (_("Blacklist"), "credit:blacklist", "customers.add_blacklistentry"),
        (_("Barring policy"), "arrears:policies", "arrears.change_barringpolicyversion"),
        (_("SMS templates"), "credit:sms-templates", "credit.change_smstemplate"),
        (_("Extended credit services"), "credit:extended-policies", "credit.change_extendedservicepolicy")]),
    (_("Campaigns"), [(_("Campaigns"), "marketing:campaigns", "marketing.view_campaign")]),
    (pgettext_lazy("navigation", "Arrears"), [
        (_("Collection queue"), "arrears:collection", "arrears.view_collectioncase"),
        (_("Arrears report"), "arrears:report", "arrears.view_lineaccount"),
        (_("SP settlement"), "arrears:sp-settlement", "arrears.view_spcharge")]),
    (pgettext_lazy("navigation", "Retention"), [
        (_("Retention alerts"), "retention:alerts", "retention.view_retentionalert"),
        (_("Retention report"), "retention:report", "retention.view_retentionalert")]),
    (_("System"), [
        (_("Batch runs"), "batch-runs", "core.view_batchrun"),
        (_("Audit"), "audit", "customers.view_personaldataaccess"),
        (_("Webhooks"), "webhooks:subscribers", "webhooks.view_webhooksubscriber"),
        (_("API docs"), "api-docs", None)]),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    sections = []
    for section, pages in NAVIGATION:
        items = [{"label": label, "url": reverse(name),
                  "active": request.path.startswith(reverse(name)) and name != "dashboard"}
                 for label, name, perm in pages if perm is None or user.has_perm(perm)]
        if items:
            sections.append({"label": section, "items": items, "active": any(i["active"] for i in items)})
    role = user_role(user)
    return {"nav_sections": sections, "nav_items": [i for s in sections for i in s["items"]],
            "current_role": Role(role).label if role else "", "is_admin": role == Role.ADMIN}
