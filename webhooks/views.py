"""The administrator's webhook pages: subscribers (list, add, edit), replay from a cursor, the delivery log."""

from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import CreateView, ListView, UpdateView, View

from customers.models import DecisionEvent
from webhooks import services
from webhooks.forms import ReplayForm, SubscriberForm
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscriber


class SubscriberListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "webhooks.view_webhooksubscriber"
    template_name = "webhooks/subscribers.html"
    model = WebhookSubscriber
    context_object_name = "subscribers"

    def get_context_data(self, **kwargs):
        top = DecisionEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", flat=True).first()
        return super().get_context_data(**kwargs, top_cursor=top or 0,
                                        can_add=self.request.user.has_perm("webhooks.add_webhooksubscriber"))


class SubscriberCreateView(LoginRequiredMixin, PermissionRequiredMixin, CreateView):
    permission_required = "webhooks.add_webhooksubscriber"
    template_name = "webhooks/subscriber_form.html"
    form_class = SubscriberForm
    success_url = reverse_lazy("webhooks:subscribers")


class SubscriberUpdateView(LoginRequiredMixin, PermissionRequiredMixin, UpdateView):
    permission_required = "webhooks.change_webhooksubscriber"
    template_name = "webhooks/subscriber_form.html"
    form_class = SubscriberForm
    model = WebhookSubscriber
    success_url = reverse_lazy("webhooks:subscribers")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, replay_form=ReplayForm())


class SubscriberReplayView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "webhooks.change_webhooksubscriber"

    def post(self, request, pk):
        subscriber = get_object_or_404(WebhookSubscriber, pk=pk)
        form = ReplayForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("after", []):
                messages.error(request, error)
            return redirect("webhooks:subscriber", pk=pk)
        after = form.cleaned_data["after"]
        services.subscriber_replay(subscriber=subscriber, after=after, by=request.user)
        LogEntry.objects.log_actions(user_id=request.user.pk, queryset=[subscriber], action_flag=CHANGE,
                                     change_message=f"replay after cursor {after}", single_object=True)
        messages.success(request, _("Events after cursor %(after)s will be sent again.") % {"after": after})
        return redirect(reverse("webhooks:deliveries") + f"?subscriber={pk}")


class DeliveryLogView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "webhooks.view_webhookdelivery"
    template_name = "webhooks/deliveries.html"
    context_object_name = "deliveries"
    paginate_by = 100

    def get_queryset(self):
        rows = WebhookDelivery.objects.select_related("subscriber", "event").order_by("-id")
        subscriber = self.request.GET.get("subscriber", "")
        if subscriber.isdigit():
            rows = rows.filter(subscriber_id=int(subscriber))
        status = self.request.GET.get("status", "")
        if status:
            rows = rows.filter(status=status)
        return rows

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, subscribers=WebhookSubscriber.objects.all(),
                                        statuses=DeliveryStatus.choices)
