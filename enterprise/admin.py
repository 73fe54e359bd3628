from django.contrib import admin

from enterprise.models import EnterpriseAccount


@admin.register(EnterpriseAccount)
class EnterpriseAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "region", "legacy_class", "account_manager"]
    list_filter = ["legacy_class", "region"]
    search_fields = ["name"]
    raw_id_fields = ["account_manager"]
