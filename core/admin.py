from django.contrib import admin

from core.models import BatchRun, Region, StaffProfile, Team


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
