import pytest
from django.contrib.auth.models import User

from config.celery import app as celery_app
from core.choices import Role
from tests.factories import CustomerFactory, RegionFactory, StaffProfileFactory, TeamFactory, UserFactory

pytest_plugins = ["tests.worker_kill"]  # the real-worker fixtures (queue, workers)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_working_calendar():
    """The working-day calendar is kept per process: days a test added (and rolled back) must not reach the
    next test."""
    from core.selectors import working_calendar_forget

    working_calendar_forget()
    yield
    working_calendar_forget()


@pytest.fixture(autouse=True)
def eager_celery():
    """Unit tests run tasks in-process; tests marked celery_worker switch this off and use a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def make_staff(role: str, *, team=None, region=None) -> User:
    user = UserFactory(role=role)
    StaffProfileFactory(user=user, team=team, region=region or (team.region if team else None))
    return User.objects.get(pk=user.pk)  # fresh instance: no cached role or permissions


@pytest.fixture
def org(db):
    """Two regions; region A has teams A1 (managers am1, am2) and A2 (am3); region B has am4.

    Each manager has two customers. Returns a namespace of users and customers.
    """

    class Org:
        pass

    o = Org()
    o.region_a, o.region_b = RegionFactory(code="4301", name="长沙"), RegionFactory(code="4302", name="株洲")
    o.team_a1 = TeamFactory(region=o.region_a, name="A1")
    o.team_a2 = TeamFactory(region=o.region_a, name="A2")
    o.team_b1 = TeamFactory(region=o.region_b, name="B1")
    o.am1 = make_staff(Role.ACCOUNT_MANAGER, team=o.team_a1)
    o.am2 = make_staff(Role.ACCOUNT_MANAGER, team=o.team_a1)
    o.am3 = make_staff(Role.ACCOUNT_MANAGER, team=o.team_a2)
    o.am4 = make_staff(Role.ACCOUNT_MANAGER, team=o.team_b1)
    o.lead_a1 = make_staff(Role.TEAM_LEAD, team=o.team_a1)
    o.regional_a = make_staff(Role.REGIONAL_MANAGER, region=o.region_a)
    for role in (Role.CREDIT_OFFICER, Role.COLLECTIONS, Role.MARKETING, Role.ADMIN, Role.BILLING_SERVICE):
        setattr(o, role.value, make_staff(role))
    User.objects.filter(pk=o.admin.pk).update(is_staff=True, is_superuser=True)
    o.admin.refresh_from_db()
    o.nobody = make_staff_without_role()
    o.book = {}
    for am, region in ((o.am1, o.region_a), (o.am2, o.region_a), (o.am3, o.region_a), (o.am4, o.region_b)):
        o.book[am.pk] = [CustomerFactory(account_manager=am, region=region) for _ in range(2)]
    o.all_customers = [c for customers in o.book.values() for c in customers]
    return o


def make_staff_without_role() -> User:
    user = UserFactory()
    StaffProfileFactory(user=user)
    return user
