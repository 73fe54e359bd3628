"""Roles are Django groups; this module is the one place that says what each may do."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import connection

from core.choices import Role

# Read by core.auth's backend too: a user's groups and permissions in one query.
ACCESS_SQL = """
SELECT g.name, ct.app_label, p.codename
FROM auth_user_groups ug
JOIN auth_group g ON g.id = ug.group_id
LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id
LEFT JOIN auth_permission p ON p.id = gp.permission_id
LEFT JOIN django_content_type ct ON ct.id = p.content_type_id
WHERE ug.user_id = %(user)s
UNION ALL
SELECT NULL, ct.app_label, p.codename
FROM auth_user_user_permissions up
JOIN auth_permission p ON p.id = up.permission_id
JOIN django_content_type ct ON ct.id = p.content_type_id
WHERE up.user_id = %(user)s
"""


def user_access_load(user) -> None:
    """Cache the user's group names and permissions on the user object (for this request)."""
    if hasattr(user, "_crm_groups"):
        return
    with connection.cursor() as cur:
        cur.execute(ACCESS_SQL, {"user": user.pk})
        rows = cur.fetchall()
    user._crm_groups = {group for group, _, _ in rows if group is not None}
    user._group_perm_cache = {f"{app}.{code}" for group, app, code in rows if group is not None and code}
    user._user_perm_cache = {f"{app}.{code}" for group, app, code in rows if group is None}


# Roles whose scope is the whole province (DOMAIN.md §1).
PROVINCE_WIDE_ROLES = {Role.CREDIT_OFFICER, Role.COLLECTIONS, Role.ADMIN, Role.MARKETING, Role.BILLING_SERVICE}
# Service accounts (other systems) call the API with a token only: no browser login, no session.
SERVICE_ROLES = {Role.BILLING_SERVICE}

_CUSTOMER_READ = ["customers.view_customer", "customers.view_line", "customers.view_usagesummary"]
# The inputs operators have besides billing (issue 13), posted by the billing/CRM service account.
_INPUTS_IN = ["customers.add_device", "customers.add_carecontact", "customers.add_callquality",
              "customers.add_contract", "customers.add_heldservice", "customers.add_paymentmethodrecord"]
_CUSTOMER_WORK = _CUSTOMER_READ + ["customers.add_customer", "customers.change_customer", "customers.add_line"]
_PERSONAL_DATA = ["customers.view_personal_data"]
_EXPORT = ["customers.export_customers"]
_BATCHES = ["core.view_batchrun"]
_CREDIT_READ = ["credit.view_rating", "credit.view_scoringmodel"]
_CREDIT_GOVERN = _CREDIT_READ + ["credit.add_rating", "credit.change_rating", "credit.add_scoringmodel",
                                 "credit.change_scoringmodel", "credit.view_factor", "credit.add_factor",
                                 "credit.change_factor", "credit.delete_factor", "credit.view_factorbin",
                                 "credit.add_factorbin", "credit.change_factorbin", "credit.delete_factorbin",
                                 "credit.view_starcutoff", "credit.add_starcutoff", "credit.change_starcutoff",
                                 "credit.view_foureyesrequest", "credit.delete_starcutoff",
                                 # configured in the app (issue 18): touchpoint SMS, extended credit services
                                 "credit.view_smstemplate", "credit.change_smstemplate",
                                 "credit.view_extendedservicepolicy", "credit.change_extendedservicepolicy",
                                 # a churn model's publication is four eyes between credit officers (issue 18)
                                 "retention.view_learnedmodel", "retention.change_learnedmodel"]
_RETENTION_READ = ["retention.view_retentionalert"]
_ARREARS_READ = ["arrears.view_lineaccount", "arrears.view_barringevent", "arrears.view_emergencypass"]
_EMERGENCY = ["arrears.add_emergencypass"]
_COLLECTION = ["arrears.view_collectioncase", "arrears.change_collectioncase"]
_ARREARS_GOVERN = _ARREARS_READ + _EMERGENCY + _COLLECTION + ["arrears.add_exemption", "arrears.view_exemption",
                                               "arrears.change_lineaccount", "arrears.view_barringpolicyversion",
                                               "arrears.change_barringpolicyversion", "arrears.view_spcharge",
                                               "arrears.view_serviceprovider"]
_RETENTION_WORK = _RETENTION_READ + ["retention.change_retentionalert"]
# enterprise accounts (issue 6)
_ENTERPRISE_READ = ["enterprise.view_enterpriseaccount", "enterprise.view_task", "enterprise.view_interaction",
                    "enterprise.view_servicedayorder", "enterprise.view_servicedayreport",
                    "enterprise.view_opportunity", "enterprise.view_enterprisealert",
                    "enterprise.view_keyperson", "enterprise.view_agreement", "enterprise.view_productholding"]
# the managers keep their groups' data (issue 16): accounts, key people, agreements, products held
_ENTERPRISE_DATA = ["enterprise.add_enterpriseaccount", "enterprise.change_enterpriseaccount",
                    "enterprise.add_keyperson", "enterprise.change_keyperson", "enterprise.add_agreement",
                    "enterprise.change_agreement", "enterprise.add_productholding",
                    "enterprise.change_productholding"]
_ENTERPRISE_WORK = _ENTERPRISE_READ + ["enterprise.export_enterpriseaccount", "enterprise.change_task",
                                       "enterprise.add_interaction", "enterprise.add_servicedayorder",
                                       "enterprise.add_opportunity", "enterprise.change_opportunity",
                                       "enterprise.change_enterprisealert"] + _ENTERPRISE_DATA
_ENTERPRISE_LEAD = _ENTERPRISE_WORK + ["enterprise.add_task", "enterprise.reassign_enterpriseaccount"]
_CHANNEL_ADMIN = ["enterprise.view_servicedaycollection", "enterprise.add_servicedaycollection",
                  "enterprise.change_servicedayreport"]
_ENTERPRISE_GOVERN = _ENTERPRISE_LEAD + _CHANNEL_ADMIN + [
    "enterprise.view_classpolicy", "enterprise.add_classpolicy", "enterprise.view_segmentrule",
    "enterprise.change_segmentrule"]

# marketing: everyone who works customers reads campaigns (a manager sees the segment within their book);
# marketing staff draft; credit officers draft too and review (the four-eyes rule is in marketing.policies).
_CAMPAIGN_READ = ["marketing.view_campaign"]
_CAMPAIGN_DRAFT = _CAMPAIGN_READ + ["marketing.add_campaign", "marketing.change_campaign",
                                    "marketing.tag_campaign_member"]
_CAMPAIGN_REVIEW = _CAMPAIGN_DRAFT + ["marketing.review_campaign"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ACCOUNT_MANAGER: _CUSTOMER_WORK + _PERSONAL_DATA + _EXPORT + _CREDIT_READ + _RETENTION_WORK
    + _ARREARS_READ + _EMERGENCY + _ENTERPRISE_WORK + _CAMPAIGN_READ,
    Role.TEAM_LEAD: _CUSTOMER_WORK + _PERSONAL_DATA + _EXPORT + _CREDIT_READ + _RETENTION_WORK
    + _ARREARS_READ + _EMERGENCY + _ENTERPRISE_LEAD + _CAMPAIGN_READ,
    Role.REGIONAL_MANAGER: _CUSTOMER_READ + _EXPORT + _CREDIT_READ + _RETENTION_WORK + _ENTERPRISE_READ
    + ["enterprise.export_enterpriseaccount"] + _CAMPAIGN_READ,
    Role.CREDIT_OFFICER: _CUSTOMER_READ + _PERSONAL_DATA + _EXPORT + _BATCHES + _CREDIT_GOVERN + _RETENTION_READ
    + _ARREARS_GOVERN + _ENTERPRISE_READ + _CAMPAIGN_REVIEW
    + ["customers.change_customer", "customers.set_vip_tier", "customers.view_blacklistentry",
       "customers.add_blacklistentry", "customers.change_blacklistentry"],
    Role.MARKETING: _CUSTOMER_READ + _CREDIT_READ + _ENTERPRISE_READ + _CHANNEL_ADMIN + _CAMPAIGN_DRAFT,
    Role.COLLECTIONS: _CUSTOMER_READ + _PERSONAL_DATA + _EXPORT + _CREDIT_READ + ["customers.view_blacklistentry"]
    + _ARREARS_READ + _EMERGENCY + _COLLECTION,
    Role.ADMIN: _CUSTOMER_WORK + _PERSONAL_DATA + _EXPORT + _BATCHES + _CREDIT_GOVERN + _RETENTION_WORK
    + _ARREARS_GOVERN + _ENTERPRISE_GOVERN + _CAMPAIGN_DRAFT
    + ["customers.view_blacklistentry", "customers.add_blacklistentry", "customers.change_blacklistentry",
       "customers.view_personaldataaccess", "customers.set_vip_tier", "customers.import_customers",
       "customers.view_decisionevent", "webhooks.view_webhooksubscriber", "webhooks.add_webhooksubscriber",
       "webhooks.change_webhooksubscriber", "webhooks.view_webhookdelivery",
       # the working-day calendar every working-day rule reads (issue 16): administrators keep it
       "core.view_calendarday", "core.add_calendarday", "core.change_calendarday"],
    Role.BILLING_SERVICE: _CUSTOMER_READ + ["customers.change_line", "customers.add_line", "customers.add_customer",
                                            "arrears.add_payment", "arrears.add_bill", "arrears.view_lineaccount",
                                            "arrears.add_emergencypass", "customers.add_usagesummary",
                                            "customers.add_linestatuschange", "marketing.view_campaign",
                                            "marketing.tag_campaign_member", "customers.view_decisionevent",
                                            *_INPUTS_IN],
}


def role_groups_sync(using="default", **kwargs):
    """Create/refresh one group per role with exactly its permissions (idempotent, runs after migrate)."""
    # Permissions of apps migrated after core do not exist yet at this point: create them all first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def user_role(user) -> str | None:
    """The user's role (group name); superusers count as admin. Cached on the user object."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_crm_role"):
        if user.is_superuser:
            user._crm_role = Role.ADMIN
        else:
            user_access_load(user)
            user._crm_role = next((r.value for r in Role if r.value in user._crm_groups), None)
    return user._crm_role


def is_service_account(user) -> bool:
    """A token-only account of another system (the billing system): never signed in to the browser."""
    return user_role(user) in SERVICE_ROLES
