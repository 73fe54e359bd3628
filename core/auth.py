"""Permissions and role of a user in one query (Django's ModelBackend takes three: user permissions, group
permissions, then the role's group names). Every API call and page asks for them, and the billing system
calls many times a second, so the two round trips saved per request are worth this small backend."""

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.utils.translation import gettext_lazy as _

SERVICE_ACCOUNT_LOGIN = _("This is a service account: it calls the API with its token and cannot sign in to the "
                          "browser.")

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


def load_access(user) -> None:
    """Cache the user's group names and permissions on the user object (for this request)."""
    if hasattr(user, "_crm_groups"):
        return
    with connection.cursor() as cur:
        cur.execute(ACCESS_SQL, {"user": user.pk})
        rows = cur.fetchall()
    user._crm_groups = {group for group, _, _ in rows if group is not None}
    user._group_perm_cache = {f"{app}.{code}" for group, app, code in rows if group is not None and code}
    user._user_perm_cache = {f"{app}.{code}" for group, app, code in rows if group is None}


class OneQueryModelBackend(ModelBackend):
    """ModelBackend whose user and group permissions come from `load_access` (superusers as before).

    The user of a session is never a service account: the login form refuses them, and a session made for one
    by any other means (a script, the admin, a test client) is not honoured either, here where every session's
    user is loaded. Their API tokens (DRF's token authentication) do not come through here.
    """

    def get_user(self, user_id):
        from core.roles import is_service_account

        user = super().get_user(user_id)
        return None if user is not None and is_service_account(user) else user

    async def aget_user(self, user_id):
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.get_user)(user_id)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            load_access(user_obj)
            user_obj._perm_cache = user_obj._user_perm_cache | user_obj._group_perm_cache
        return user_obj._perm_cache
