from django.contrib import admin

from retention.models import AlertEvent, ChurnScore, LearnedModel, RetentionAlert, ScanSettings, SignalConfig


@admin.register(SignalConfig)
class SignalConfigAdmin(admin.ModelAdmin):
    list_display = ["code", "enabled", "threshold", "weight", "note"]
    list_editable = ["enabled", "threshold", "weight"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False  # the signals are fixed in code; the data migration seeds one row each


@admin.register(ScanSettings)
class ScanSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "alert_threshold", "cooldown_days"]

    def has_add_permission(self, request):
        return not ScanSettings.objects.exists()


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "by", "from_status", "to_status", "note"]


@admin.register(RetentionAlert)
class RetentionAlertAdmin(admin.ModelAdmin):
    """Read-only: alerts change only through the lifecycle service (queue page or API)."""

    list_display = ["customer", "score", "status", "account_manager", "opened_at", "closed_at"]
    list_filter = ["status"]
    raw_id_fields = ["customer", "account_manager"]
    inlines = [AlertEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ChurnScore)
class ChurnScoreAdmin(admin.ModelAdmin):
    list_display = ["customer", "scanned_on", "score", "signals"]
    raw_id_fields = ["customer"]
    date_hierarchy = "scanned_on"

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LearnedModel)
class LearnedModelAdmin(admin.ModelAdmin):
    """Trained by `manage.py train_churn_model`; here only to read. Which version is the champion is a four-eyes
    decision (retention.publication), never a tick box here, for an administrator neither."""

    list_display = ["version", "kind", "trained_on", "validated_on", "weighted_auc", "learned_auc", "active"]
    exclude = ["blob"]
    readonly_fields = [f.name for f in LearnedModel._meta.fields if f.name != "blob"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
