from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.models import BatchRun, CalendarDay, Region, StaffProfile, Team


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "display_name", "user", "region", "team"]
    list_filter = ["region"]
    search_fields = ["employee_no", "display_name", "user__username"]
    raw_id_fields = ["user"]


@admin.register(BatchRun)
class BatchRunAdmin(admin.ModelAdmin):
    list_display = ["kind", "period", "status", "done_chunks", "total_chunks", "rows_affected", "started_at",
                    "finished_at"]
    list_filter = ["kind", "status"]


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    """The exceptions to Monday–Friday that every working-day rule reads (holidays, make-up working days).
    Saving or deleting a day reloads the calendar in every process and moves the open enterprise deadlines."""

    list_display = ["date", "weekday", "name", "is_working_day", "confirmed"]
    list_filter = ["is_working_day", "confirmed", ("date", admin.DateFieldListFilter)]
    list_editable = ["confirmed"]
    search_fields = ["name"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "D")
