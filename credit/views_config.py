"""Configuration pages of credit officers (issue 18): a scoring model's draft (cut-offs, factors, bins, weights)
with its impact preview and publication, the touchpoint SMS templates with a preview, and the extended credit
services' policies. Thin: the writes and their rules are credit.configuration's (and credit.services' publish)."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.generic_views import PageView, ServiceActionView, ServiceFormView
from credit import configuration, selectors, services
from credit.choices import FourEyesKind
from credit.forms import (
    ExtendedPolicyForm, FactorAddForm, FactorForm, PublishForm, ScoringModelDraftForm, SmsPreviewForm,
    SmsTemplateForm,
)
from credit.impact import matrix_table
from credit.touchpoints import PLACEHOLDERS

MODEL_PERMISSION = configuration.MODEL_PERMISSION


class DraftMixin:
    """A scoring model's draft, or a part of it, edited by credit officers (its template `<app>/<name>_edit.html`);
    saving goes back to the draft's page. A published (or retired) model is never edited: its pages send the user
    to the read-only one."""

    permission_required = MODEL_PERMISSION
    template_name_suffix = "_edit"
    success_url_name = "credit:model-edit"

    def success_url_kwargs(self, result):
        return {"pk": self.draft().pk}

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.draft().is_editable:
            messages.info(request, _("Version %(v)s is not a draft: copy it to a new draft to change it.") % {
                "v": self.draft().version})
            return redirect("credit:model", pk=self.draft().pk)
        return super().get(request, *args, **kwargs)

    def draft(self):
        return self.object


class ScoringModelEditView(DraftMixin, ServiceFormView):
    """A draft's cut-offs, its factors (each with its edit page), the last impact preview with the star shares
    before and after, and the publish decision."""

    template_name = "credit/model_edit.html"
    selector = selectors.scoring_model_details
    form_class = ScoringModelDraftForm
    service, object_as = configuration.scoring_model_draft_update, "model"
    success_message = gettext_lazy("Draft saved. Request an impact preview to see what it would move.")

    def get_initial(self):
        return {"name": self.object.name, "notes": self.object.notes,
                **{f"cutoff_{c.star}": c.min_score for c in self.object.cutoffs.all()}}

    def get_extra_context(self):
        preview = self.object.previews.select_related("requested_by").first()
        used = {f.feature for f in self.object.factors.all()}
        add_form = FactorAddForm()
        add_form.fields["feature"].choices = [c for c in add_form.fields["feature"].choices if c[0] not in used]
        return {"scoringmodel": self.object, "add_form": add_form, "publish_form": PublishForm(),
                "publication": selectors.latest_request(kind=FourEyesKind.SCORING_MODEL_PUBLISH, subject=self.object),
                "preview": preview, "preview_table": matrix_table(preview) if preview else None,
                "shares": selectors.impact_shares(preview) if preview else None,
                "preview_stale": bool(preview and preview.computed_at < self.object.updated_at)}


class FactorAddView(ServiceActionView):
    permission_required = MODEL_PERMISSION
    selector = selectors.scoring_model_list
    form_class = FactorAddForm
    service, object_as = configuration.factor_add, "model"
    success_message = gettext_lazy("Factor added: give it its bins.")

    def get_success_url(self, result=None):
        if result is None:
            return reverse("credit:model-edit", kwargs={"pk": self.object.pk})
        return reverse("credit:factor-edit", kwargs={"pk": result.pk})


class FactorEditView(DraftMixin, ServiceFormView):
    selector = selectors.draft_factor_list
    form_class = FactorForm
    service, object_as = configuration.factor_update, "factor"
    success_message = gettext_lazy("Factor saved.")

    def draft(self):
        return self.object.scoring_model

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "bins": list(self.object.bins.all())}

    def get_initial(self):
        return {"dimension": self.object.dimension, "weight": self.object.weight}

    def get_extra_context(self):
        return {"scoringmodel": self.object.scoring_model}


class FactorRemoveView(ServiceActionView):
    permission_required = MODEL_PERMISSION
    selector = selectors.draft_factor_list
    form_class = forms.Form
    service, object_as = configuration.factor_remove, "factor"
    success_message = gettext_lazy("Factor removed from the draft.")

    def get_success_url(self, result=None):
        return reverse("credit:model-edit", kwargs={"pk": self.object.scoring_model_id})


class PublicationRequestView(ServiceActionView):
    """Asking for a version's publication (a scoring model's, a barring policy's): it waits for a second
    officer (four eyes)."""

    def get_success_message(self, result):
        return _("Publication of version %(v)s requested (#%(id)s): it waits for a second credit officer.") % {
            "v": self.object.version, "id": result.pk}


class ScoringModelPublishView(PublicationRequestView):
    """Asking for a draft's publication (four eyes): a second officer approves it on the draft's page or the
    four-eyes list; who asked, who approved, when, why and the version go into the history (/audit/)."""

    permission_required = MODEL_PERMISSION
    selector = selectors.scoring_model_list
    form_class = PublishForm
    service, object_as = services.scoring_model_publish_request, "model"

    def get_failure_url(self):
        return reverse("credit:model-edit" if self.object.is_editable else "credit:model",
                       kwargs={"pk": self.object.pk})

    def get_success_url(self, result=None):
        return reverse("credit:model-edit", kwargs={"pk": self.object.pk})


# --- Touchpoint SMS templates ----------------------------------------------------------------------------------

class SmsTemplateListView(PageView):
    permission_required = "credit.view_smstemplate"
    template_name = "credit/sms_templates.html"

    def get_extra_context(self):
        return {"templates": selectors.sms_template_list(user=self.request.user), "placeholders": PLACEHOLDERS}


class SmsTemplateEditView(ServiceFormView):
    """Edit a template; "Preview" (a GET with the text) renders it with a sample customer's values and shows an
    unknown placeholder as a form error, saving nothing."""

    permission_required = configuration.SMS_PERMISSION
    template_name = "credit/sms_template_edit.html"
    selector = selectors.sms_template_list
    form_class = SmsTemplateForm
    service, object_as = configuration.sms_template_update, "template"
    success_message = gettext_lazy("SMS template saved.")
    success_url_name = "credit:sms-template"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET" and "body" in self.request.GET:
            kwargs["data"] = self.request.GET  # the preview: the text on screen, not the saved one
        return kwargs

    def get_initial(self):
        return {"body": self.object.body, "active": self.object.active}

    def get_extra_context(self):
        sample_form = SmsPreviewForm(self.request.GET or None, user=self.request.user)
        wanted = sample_form.cleaned_data.get("customer") if sample_form.is_valid() else None
        customer = selectors.sms_sample_customer(user=self.request.user, pk=wanted.pk if wanted else None)
        form = getattr(self, "_form", None)
        body = self.object.body
        if form is not None and form.is_bound:
            body = form.cleaned_data.get("body") if form.is_valid() else None
        preview = None
        if body and customer is not None:
            sample = {"amount": "58.00", "days": 7, "date": f"{timezone.localdate() + timedelta(days=7):%Y-%m-%d}"}
            preview = configuration.sms_preview(body=body, customer=customer, sample=sample)
        return {"sample_form": sample_form, "sample_customer": customer, "preview": preview,
                "placeholders": PLACEHOLDERS}

    def get_context_data(self, **kwargs):
        self._form = kwargs.get("form") or self.get_form()
        kwargs["form"] = self._form
        return super().get_context_data(**kwargs)


# --- Extended credit service policies -----------------------------------------------------------------------------

CHANNEL_LABELS = {"outlet": gettext_lazy("Outlet"), "hotline": gettext_lazy("Hotline"), "app": gettext_lazy("App")}


class ExtendedPolicyListView(PageView):
    permission_required = "credit.view_extendedservicepolicy"
    template_name = "credit/extended_policies.html"

    def get_extra_context(self):
        rows = selectors.extended_policy_rows()
        for _code, _label, policy in rows:
            if policy is not None:  # the channel codes the officer typed, as staff read them
                policy.channel_labels = "、".join(str(CHANNEL_LABELS.get(c, c))
                                                 for c in configuration.channel_codes(policy.channels))
        return {"rows": rows}


class ExtendedPolicyEditView(ServiceFormView):
    """One service's policy; a save is a new version; unticking "offered" ends the service."""

    permission_required = configuration.EXTENDED_PERMISSION
    template_name = "credit/extended_policy_edit.html"
    selector = selectors.extended_policy_list
    form_class = ExtendedPolicyForm
    context_object_name = "policy"
    success_message = gettext_lazy("Policy saved as a new version.")
    success_url = reverse_lazy("credit:extended-policies")

    def get_initial(self):
        return {field: getattr(self.object, field) for field in configuration.EXTENDED_FIELDS}

    def perform(self, form):
        return configuration.extended_policy_save(service=self.object.service, by=self.request.user,
                                                  **form.cleaned_data)
