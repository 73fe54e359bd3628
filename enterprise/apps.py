from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterpriseConfig(AppConfig):
    name = "enterprise"
    verbose_name = _("Enterprise accounts")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.models import CalendarDay
        from enterprise import batches  # noqa: F401  registers the segmentation batch kind
        from enterprise import snapshots  # noqa: F401  registers the monthly snapshot derivation
        from enterprise.services import working_day_deadlines_refresh

        # a changed working-day calendar moves the deadlines still open (core has reloaded it by then)
        post_save.connect(working_day_deadlines_refresh, sender=CalendarDay, dispatch_uid="enterprise-deadlines")
        post_delete.connect(working_day_deadlines_refresh, sender=CalendarDay,
                            dispatch_uid="enterprise-deadlines-delete")
