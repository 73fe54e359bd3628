from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The top layer: pages that compose every app (dashboard, audit, customer 360) and the demo loader.
    Nothing imports it but config.urls; see the import contract in .importlinter."""

    name = "workspace"
    verbose_name = _("Workspace")

    def ready(self):
        from workspace import home_facts  # noqa: F401  registers the nightly home facts batch kind
