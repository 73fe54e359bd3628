from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from marketing.models import Campaign, CampaignDecision, CampaignMember, Notification, ReviewOpinion


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "status", "author", "review_round", "created_at", "launched_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    readonly_fields = ["status", "review_round", "forecast", "launched_at", "closed_at"]  # the workflow sets them


@admin.register(CampaignDecision)
class CampaignDecisionAdmin(admin.ModelAdmin):
    list_display = ["campaign", "action", "from_status", "to_status", "by", "at"]
    readonly_fields = [f.name for f in CampaignDecision._meta.fields]


@admin.register(ReviewOpinion)
class ReviewOpinionAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "review_round", "control", "verdict", "reviewer", "at"]


@admin.register(CampaignMember)
class CampaignMemberAdmin(admin.ModelAdmin):
    list_display = ["campaign", "customer", "how", "tagged_at"]
    raw_id_fields = ["customer"]
    show_full_result_count = False


admin.site.register(Notification)
