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
        from core.roles import sync_role_groups
        from core.selectors import invalidate_working_calendar

        post_migrate.connect(sync_role_groups, sender=self)
        # after every migrate (and a test's flush): the beat schedules as config/schedules.py declares them
        post_migrate.connect(schedules_sync, sender=self, dispatch_uid="core.schedules_sync")
        post_save.connect(invalidate_working_calendar, sender=CalendarDay, dispatch_uid="calendar-saved")
        post_delete.connect(invalidate_working_calendar, sender=CalendarDay, dispatch_uid="calendar-deleted")
        metrics.register()
