from rest_framework.routers import DefaultRouter

from customers.api.views import CustomerViewSet, LineViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("lines", LineViewSet, basename="line")
urlpatterns = router.urls
