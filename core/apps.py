from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Organisation")

    def ready(self):
        from core.ops import metrics
        from core.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self)
        metrics.register()
