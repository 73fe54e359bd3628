from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArrearsConfig(AppConfig):
    name = "arrears"
    verbose_name = _("Arrears")

    def ready(self):
        from arrears import evaluation  # noqa: F401  registers the nightly evaluation batch kind
