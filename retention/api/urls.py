from rest_framework.routers import SimpleRouter

from retention.api.views import RetentionAlertViewSet

router = SimpleRouter()
router.register("retention/alerts", RetentionAlertViewSet, basename="retention-alert")
urlpatterns = router.urls
