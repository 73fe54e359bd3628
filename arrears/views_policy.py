"""Barring policy versions for credit officers (issue 18): the versions, a new draft from the one in force, its
settings, and asking for its publication with a reason (a second officer approves it: four eyes). Thin:
arrears.policy_versions does the writes and checks."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears import policy_versions
from arrears.forms import BARRING_RULE_CHOICES, BarringDraftForm, BarringPolicyForm, BarringPublishForm
from arrears.selectors import barring_policy_current
from core.generic_views import PageView, ServiceActionView, ServiceFormView
from credit.choices import FourEyesKind, FourEyesStatus
from credit.selectors import latest_request
from credit.views_config import PublicationRequestView

VIEW_PERMISSION = "arrears.view_barringpolicyversion"


class BarringPolicyListView(PageView):
    permission_required = VIEW_PERMISSION
    template_name = "arrears/policy_list.html"

    def get_extra_context(self):
        versions = list(policy_versions.version_list(user=self.request.user))
        for version in versions:
            version.publication = policy_versions.publication(version)
            request = None if version.published_at else latest_request(
                kind=FourEyesKind.BARRING_POLICY_PUBLISH, subject=version)
            version.waiting = request is not None and request.status == FourEyesStatus.PENDING
        return {"versions": versions, "in_force": barring_policy_current(), "draft": policy_versions.draft_of(),
                "draft_form": BarringDraftForm()}


class BarringDraftCreateView(ServiceActionView):
    permission_required = policy_versions.PERMISSION
    form_class = BarringDraftForm
    service = policy_versions.barring_draft_create
    success_message = gettext_lazy("Draft created from the version in force: change it, then publish it.")
    success_url = reverse_lazy("arrears:policies")

    def get_success_url(self, result=None):
        return reverse("arrears:policy", kwargs={"pk": result.pk}) if result else str(self.success_url)


class BarringPolicyView(ServiceFormView):
    """A version's settings: a draft's in a form, a published one read-only with who published it, when, why."""

    permission_required = VIEW_PERMISSION
    change_permission = policy_versions.PERMISSION
    change_denied_message = gettext_lazy("Only credit officers change the barring policy.")
    template_name = "arrears/policy_detail.html"
    selector = policy_versions.version_list
    form_class = BarringPolicyForm
    context_object_name = "version"
    service, object_as = policy_versions.barring_draft_update, "version"
    success_message = gettext_lazy("Draft saved.")
    success_url_name = "arrears:policy"

    def get_initial(self):
        policy = policy_versions.barring_policy_of(self.object)
        return {**{name: getattr(policy, name) for name in self.form_class.base_fields if hasattr(policy, name)},
                "note": self.object.note}

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.published_at is not None:
            messages.error(request, _("Version %(v)s is published and cannot be edited; create a new draft "
                                      "from it.") % {"v": self.object.version})
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def get_extra_context(self):
        policy = policy_versions.barring_policy_of(self.object)
        rules = dict(BARRING_RULE_CHOICES)
        return {"policy": policy, "publication": policy_versions.publication(self.object),
                "immediate": [rules.get(r, r) for r in policy.immediate_rules],
                "publish_form": BarringPublishForm(), "editable": self.object.published_at is None,
                "publication_request": latest_request(kind=FourEyesKind.BARRING_POLICY_PUBLISH, subject=self.object)}


class BarringPolicyPublishView(PublicationRequestView):
    permission_required = policy_versions.PERMISSION
    selector = policy_versions.version_list
    form_class = BarringPublishForm
    service, object_as = policy_versions.barring_policy_publish_request, "version"
    success_url_name = "arrears:policy"
