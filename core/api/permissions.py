from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Django model permissions, including view permission for reads."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class ReadPermission(ModelPermissions):
    """For an action that reads although it is POSTed (to carry a body, e.g. the purpose of a reveal)."""

    perms_map = {**ModelPermissions.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}


class ScopedPermission(ModelPermissions):
    """The one permission mechanism of the API. A view names what it needs in `permission_required`: a
    permission (or a list), or a dict by action (viewsets) or HTTP method, "*" for the rest; a view that names
    nothing needs the Django model permission of its queryset's model for the method (ModelPermissions).
    `object_permission_required` (the same forms) is checked once the object is found in the caller's scope:
    for an action whose 404 outside the scope comes before its 403. `permission_denied_message` (a text, or a
    dict like the permissions) is the 403's detail."""

    def has_permission(self, request, view):
        self.message = for_request(view, request, "permission_denied_message")  # None: DRF's own
        required = for_request(view, request, "permission_required")
        if required is None:
            return super().has_permission(request, view)
        return _has_all(request.user, required)

    def has_object_permission(self, request, view, obj):
        required = for_request(view, request, "object_permission_required")
        return True if required is None else _has_all(request.user, required)


def _has_all(user, required) -> bool:
    required = [required] if isinstance(required, str) else list(required)
    return bool(user and user.is_authenticated and user.has_perms(required))


def for_request(view, request, attribute: str):
    """The view's `attribute` for this request: as it is, or from a dict by action, by method, or "*"."""
    value = getattr(view, attribute, None)
    if isinstance(value, dict):
        value = value.get(getattr(view, "action", None), value.get(request.method, value.get("*")))
    return value
