from django.urls import path
from rest_framework.routers import SimpleRouter

from marketing.api.views import CampaignViewSet, SegmentCountView

router = SimpleRouter()
router.register("marketing/campaigns", CampaignViewSet, basename="campaign")
urlpatterns = [
    path("marketing/segment-count/", SegmentCountView.as_view(), name="segment-count"),
    *router.urls,
]
