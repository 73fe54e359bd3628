from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from credit import configuration, policies
from credit.choices import CATEGORICAL_FEATURES

from credit.blacklist import blacklist_entry_add
from credit.models import (
    ExtendedServicePolicy,
    ExtendedServiceRequest,
    Factor,
    FactorBin,
    Rating,
    ScoringModel,
    SmsDelivery,
    SmsMessage,
    SmsTemplate,
    StarCutoff,
)
from credit.state import BLACKLISTED, credit_end
from credit.touchpoints import dead_letters_requeue
from customers.models import BlacklistEntry, Customer


class DraftOnlyMixin:
    """A published or retired model (and its factors, bins and cut-offs) is read-only."""

    def _model_of(self, obj):
        if obj is None:
            return None
        return obj if isinstance(obj, ScoringModel) else getattr(obj, "scoring_model", None)

    def _editable(self, model) -> bool:
        """A draft whose publication waits for a second officer is frozen here too (four eyes: no way around)."""
        return model is None or (model.is_editable and not model.waiting_publication_id())

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(self._model_of(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(self._model_of(obj))


class StarCutoffInline(DraftOnlyMixin, admin.TabularInline):
    model = StarCutoff
    extra = 0


class FactorInline(DraftOnlyMixin, admin.TabularInline):
    model = Factor
    extra = 0
    show_change_link = True


class FactorBinFormSet(forms.BaseInlineFormSet):
    """The bins' rules of the configuration page (credit.policies.bin_problems) hold here too."""

    def clean(self):
        super().clean()
        rows = [(f.cleaned_data.get("lower"), f.cleaned_data.get("upper"), f.cleaned_data.get("category") or "")
                for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        categorical = self.instance.feature in CATEGORICAL_FEATURES
        problems = policies.bin_problems(rows, categorical=categorical,
                                         categories=configuration.brand_codes() if categorical else ())
        if problems:
            raise ValidationError([configuration.ERRORS[code] % params for _f, code, params in problems])


class FactorBinInline(admin.TabularInline):
    model = FactorBin
    formset = FactorBinFormSet
    extra = 0

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and DraftOnlyMixin._editable(
            self, None if obj is None else obj.scoring_model)

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(ScoringModel)
class ScoringModelAdmin(DraftOnlyMixin, SimpleHistoryAdmin):
    list_display = ["version", "name", "status", "published_at", "published_by"]
    readonly_fields = ["status", "published_at", "published_by", "created_by"]
    inlines = [FactorInline, StarCutoffInline]


@admin.register(Factor)
class FactorAdmin(DraftOnlyMixin, SimpleHistoryAdmin):
    list_display = ["scoring_model", "dimension", "feature", "weight"]
    list_filter = ["scoring_model"]
    inlines = [FactorBinInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "old_star", "new_star", "old_limit", "new_limit", "rule", "decided_at"]
    list_filter = ["kind", "rule"]
    raw_id_fields = ["customer", "run", "decided_by", "approved_by"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # decisions are history

    def has_delete_permission(self, request, obj=None):
        return False


class SmsTemplateAdminForm(forms.ModelForm):
    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            configuration.sms_template_check(body)
        except ValidationError as error:
            raise ValidationError(error.message_dict.get("body", error.messages)) from error
        return body


@admin.register(SmsTemplate)
class SmsTemplateAdmin(SimpleHistoryAdmin):
    form = SmsTemplateAdminForm
    list_display = ["event", "active", "body", "updated_at"]
    list_filter = ["active"]


class SmsDeliveryInline(admin.TabularInline):
    model = SmsDelivery
    extra = 0
    can_delete = False
    readonly_fields = ["attempted_at", "ok", "response"]


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "event"]
    raw_id_fields = ["customer"]
    readonly_fields = ["customer", "msisdn", "event", "body", "status", "attempts", "dedup_key", "gateway_ref",
                       "created_at", "sent_at", "next_attempt_at"]
    inlines = [SmsDeliveryInline]
    show_full_result_count = False
    actions = ["requeue"]

    @admin.action(description=_("Send the selected dead letters again"))
    def requeue(self, request, queryset):
        self.message_user(request, _("%(n)d messages queued again.") % {"n": dead_letters_requeue(messages=queryset)})


class ExtendedServicePolicyAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        fields = ("min_star", "max_amount", "max_amount_per_month", "max_count_per_month", "max_persons_per_month")
        if all(data.get(f) is not None for f in fields):
            problems = policies.extended_policy_problems(
                **{f: data[f] for f in fields}, channels=configuration.channel_codes(data.get("channels")))
            for field, code, params in problems:
                self.add_error(field, configuration.ERRORS[code] % params)
        return data


@admin.register(ExtendedServicePolicy)
class ExtendedServicePolicyAdmin(SimpleHistoryAdmin):
    form = ExtendedServicePolicyAdminForm
    list_display = ["service", "active", "min_star", "max_amount", "max_amount_per_month", "max_count_per_month",
                    "max_persons_per_month", "validity_days", "channels"]


@admin.register(ExtendedServiceRequest)
class ExtendedServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["service", "giver", "receiver_msisdn", "amount", "channel", "status", "refused_rule", "created_at"]
    list_filter = ["service", "status", "refused_rule"]
    raw_id_fields = ["giver", "receiver", "requested_by"]

    def has_change_permission(self, request, obj=None):
        return False


# Blacklist entries are decided in credit: the admin goes through the same services as the pages and the API,
# so blacklisting there ends the customer's credit at once and clearing there is audited like anywhere else.
class BlacklistEntryCreditAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "reason", "amount_owed", "amount_paid", "created_at", "cleared_at"]
    search_fields = ["=id_number"]
    raw_id_fields = ["customer", "line", "added_by", "cleared_by"]
    readonly_fields = ["amount_paid", "cleared_by"]

    def save_model(self, request, obj, form, change):
        if not change and obj.customer_id:
            saved = blacklist_entry_add(customer=obj.customer, reason=obj.reason, amount_owed=obj.amount_owed,
                                        evidence=obj.evidence, line=obj.line, by=request.user)
            obj.pk = saved.pk
            return
        if obj.cleared_at and not obj.cleared_by_id:
            obj.cleared_by = request.user
        super().save_model(request, obj, form, change)
        if obj.cleared_at is None:  # an open entry (new without a customer, or edited): the identity is unrated
            credit_end(customer_ids=Customer.objects.filter(id_number=obj.id_number, id_type=obj.id_type)
                       .values_list("pk", flat=True), rule=BLACKLISTED, reason=obj.reason, by=request.user)


admin.site.unregister(BlacklistEntry)
admin.site.register(BlacklistEntry, BlacklistEntryCreditAdmin)
