from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from enterprise import policies, services
from enterprise.models import (Agreement, AssignmentChange, ClassPolicy, EnterpriseAccount, EnterpriseSnapshot,
                               KeyPerson, ManagerProfile, Opportunity, ProductHolding, SegmentRule,
                               ServiceDayCollection, ServiceDayReport)


class KeyPersonInline(admin.TabularInline):
    model = KeyPerson
    extra = 0


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0


class ProductInline(admin.TabularInline):
    model = ProductHolding
    extra = 0


class AssignmentInline(admin.TabularInline):
    model = AssignmentChange
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_manager", "to_manager", "by", "at", "reason", "open_tasks_moved"]

    def has_add_permission(self, request, obj=None):
        return False  # reassignment goes through the account page (services.account_reassign)


@admin.register(EnterpriseAccount)
class EnterpriseAccountAdmin(SimpleHistoryAdmin):
    list_display = ["name", "industry", "region", "size", "legacy_class", "computed_class", "class_score",
                    "account_manager"]
    list_filter = ["legacy_class", "computed_class", "size", "region"]
    search_fields = ["name"]
    raw_id_fields = ["account_manager", "service_manager"]
    readonly_fields = ["account_manager", "service_manager", "computed_class", "class_score", "class_factors",
                       "class_policy_version", "classified_on"]
    inlines = [KeyPersonInline, AgreementInline, ProductInline, AssignmentInline]


@admin.register(ManagerProfile)
class ManagerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "kind"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]


class ClassPolicyForm(forms.ModelForm):
    class Meta:
        model = ClassPolicy
        fields = ["weights", "full_at", "cutoffs", "note"]

    def clean(self):
        data = super().clean()
        errors = policies.validate_class_policy({k: data.get(k) or {} for k in ("weights", "full_at", "cutoffs")})
        if errors:
            raise ValidationError(errors)
        return data


@admin.register(ClassPolicy)
class ClassPolicyAdmin(SimpleHistoryAdmin):
    """Versions are never edited: "add" publishes a new active version (the previous one is kept)."""

    form = ClassPolicyForm
    list_display = ["version", "active", "note", "created_by", "created_at"]

    def get_changeform_initial_data(self, request):
        current = ClassPolicy.objects.filter(active=True).first()
        policy = current.as_policy() if current else policies.DEFAULT_CLASS_POLICY
        return {**policy}

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = services.class_policy_publish(by=request.user, **{
            k: form.cleaned_data[k] for k in ("weights", "full_at", "cutoffs", "note")})
        obj.pk, obj.version = published.pk, published.version


@admin.register(SegmentRule)
class SegmentRuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "segment", "direction", "enabled", "threshold", "alert", "note"]
    list_editable = ["enabled", "threshold", "alert"]
    list_filter = ["segment"]
    readonly_fields = ["code", "segment", "direction"]

    def has_add_permission(self, request):
        return False  # the signals are fixed in code; the data migration seeds one row each


@admin.register(Opportunity)
class OpportunityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "stage", "account", "prospect_name", "expected_revenue", "account_manager"]
    list_filter = ["kind", "stage"]
    raw_id_fields = ["account", "account_manager"]


@admin.register(EnterpriseSnapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["account", "month", "revenue", "member_count", "complaints", "arrears_amount"]
    raw_id_fields = ["account"]


@admin.register(ServiceDayCollection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["collected_on", "order_count", "by"]


@admin.register(ServiceDayReport)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["kind", "region", "period_start", "due_date", "submitted_on"]
    list_filter = ["kind", "region"]
