from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Organisation")

    def ready(self):
        from config.schedules import schedules_sync
        from core.api import schema  # noqa: F401  registers the schema's field extensions (decimal patterns)
        from core.models import CalendarDay
        from core.ops import metrics
        from core.roles import role_groups_sync
        from core.selectors import working_calendar_invalidate

        post_migrate.connect(role_groups_sync, sender=self)
        # after every migrate (and a test's flush): the beat schedules as config/schedules.py declares them
        post_migrate.connect(schedules_sync, sender=self, dispatch_uid="core.schedules_sync")
        post_save.connect(working_calendar_invalidate, sender=CalendarDay, dispatch_uid="calendar-saved")
        post_delete.connect(working_calendar_invalidate, sender=CalendarDay, dispatch_uid="calendar-deleted")
        metrics.register()
