"""Permissions and role of a user in one query (Django's ModelBackend takes three: user permissions, group
permissions, then the role's group names). Every API call and page asks for them, and the billing system
calls many times a second, so the two round trips saved per request are worth this small backend."""

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _

from core.roles import is_service_account, user_access_load

SERVICE_ACCOUNT_LOGIN = _("This is a service account: it calls the API with its token and cannot sign in to the "
                          "browser.")

class OneQueryModelBackend(ModelBackend):
    """ModelBackend whose user and group permissions come from `user_access_load` (superusers as before).

    The user of a session is never a service account: the login form refuses them, and a session made for one
    by any other means (a script, the admin, a test client) is not honoured either, here where every session's
    user is loaded. Their API tokens (DRF's token authentication) do not come through here.
    """

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return None if user is not None and is_service_account(user) else user

    async def aget_user(self, user_id):
        return await sync_to_async(self.get_user)(user_id)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_access_load(user_obj)
            user_obj._perm_cache = user_obj._user_perm_cache | user_obj._group_perm_cache
        return user_obj._perm_cache
