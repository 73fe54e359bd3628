from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.SubscriberListView.as_view(), name="subscribers"),
    path("add/", views.SubscriberCreateView.as_view(), name="subscriber-add"),
    path("<int:pk>/", views.SubscriberUpdateView.as_view(), name="subscriber"),
    path("<int:pk>/replay/", views.SubscriberReplayView.as_view(), name="subscriber-replay"),
    path("deliveries/", views.DeliveryLogView.as_view(), name="deliveries"),
]
