from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterpriseConfig(AppConfig):
    name = "enterprise"
    verbose_name = _("Enterprise accounts")

    def ready(self):
        from enterprise import batches  # noqa: F401  registers the segmentation batch kind
