"""The administrator's webhook pages: subscribers (list, add, edit), replay from a cursor, the delivery log."""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, UpdateView

from core.generic_views import ScopedListView, ServiceActionView
from webhooks import selectors, services
from webhooks.filtersets import DeliveryFilterSet, SubscriberFilterSet
from webhooks.forms import ReplayForm, SubscriberForm
from webhooks.models import DeliveryStatus, WebhookSubscriber


class SubscriberListView(ScopedListView):
    template_name = "webhooks/subscribers.html"
    selector = selectors.subscriber_list
    filterset_class = SubscriberFilterSet
    context_object_name = "subscribers"
    paginate_by = None  # a handful of subscribers, shown whole as before

    def get_extra_context(self):
        return {"top_cursor": selectors.top_cursor(),
                "can_add": self.request.user.has_perm("webhooks.add_webhooksubscriber")}


class SubscriberFormMixin(LoginRequiredMixin, PermissionRequiredMixin):
    template_name = "webhooks/subscriber_form.html"
    form_class = SubscriberForm
    success_url = reverse_lazy("webhooks:subscribers")


class SubscriberCreateView(SubscriberFormMixin, CreateView):
    permission_required = "webhooks.add_webhooksubscriber"


class SubscriberUpdateView(SubscriberFormMixin, UpdateView):
    permission_required = "webhooks.change_webhooksubscriber"
    model = WebhookSubscriber
    extra_context = {"replay_form": ReplayForm()}


class SubscriberReplayView(ServiceActionView):
    permission_required = "webhooks.change_webhooksubscriber"
    selector = selectors.subscriber_list
    form_class = ReplayForm

    def perform(self, form):
        after = form.cleaned_data["after"]
        services.subscriber_replay(subscriber=self.object, after=after, by=self.request.user)
        LogEntry.objects.log_actions(user_id=self.request.user.pk, queryset=[self.object], action_flag=CHANGE,
                                     change_message=f"replay after cursor {after}", single_object=True)
        return after

    def get_success_message(self, after):
        return _("Events after cursor %(after)s will be sent again.") % {"after": after}

    def get_failure_url(self):
        return reverse("webhooks:subscriber", kwargs={"pk": self.object.pk})

    def get_success_url(self, after=None):
        return reverse("webhooks:deliveries") + f"?subscriber={self.object.pk}"


class DeliveryLogView(ScopedListView):
    template_name = "webhooks/deliveries.html"
    selector = selectors.delivery_log
    filterset_class = DeliveryFilterSet
    context_object_name = "deliveries"
    paginate_by = 100
    columns = [(gettext_lazy("Subscriber"), None), (gettext_lazy("Event"), "event"), (gettext_lazy("Kind"), None),
               (gettext_lazy("Mobile number"), None), (gettext_lazy("Status"), None), (gettext_lazy("Attempts"), None),
               (gettext_lazy("Last HTTP status"), None), (gettext_lazy("Last error"), None),
               (gettext_lazy("Next attempt at"), None), (gettext_lazy("Delivered at"), None)]

    def get_extra_context(self):
        return {"subscribers": WebhookSubscriber.objects.all(), "statuses": DeliveryStatus.choices}
