from rest_framework.routers import SimpleRouter

from enterprise.api.account_data import AgreementViewSet, KeyPersonViewSet, ProductViewSet

from enterprise.api.views import EnterpriseAccountViewSet, InteractionViewSet, MemberViewSet, TaskViewSet

router = SimpleRouter()
router.register("enterprise/accounts", EnterpriseAccountViewSet, basename="enterprise-account")
router.register("enterprise/members", MemberViewSet, basename="enterprise-member")
router.register("enterprise/tasks", TaskViewSet, basename="enterprise-task")
router.register("enterprise/interactions", InteractionViewSet, basename="enterprise-interaction")
router.register("enterprise/key-people", KeyPersonViewSet, basename="enterprise-key-person")
router.register("enterprise/agreements", AgreementViewSet, basename="enterprise-agreement")
router.register("enterprise/products", ProductViewSet, basename="enterprise-product")
urlpatterns = router.urls
