from datetime import date
from decimal import Decimal

import factory

from enterprise.models import Agreement, EnterpriseAccount, EnterpriseSnapshot, ServiceDayOrder, Task
from tests.factories import RegionFactory


class EnterpriseAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseAccount

    name = factory.Sequence(lambda n: f"集团{n}")
    industry = "制造"
    region = factory.SubFactory(RegionFactory)
    headcount = 100
    unified_billing_revenue = Decimal("10000.00")


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseSnapshot

    month = date(2026, 11, 1)
    revenue = Decimal("10000.00")
    member_count = 100


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title = "集团统付协议"
    signed_on = date(2025, 1, 1)
    expires_on = date(2027, 12, 31)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    title = "回访关键人"
    due_date = date(2026, 12, 1)


class ServiceDayOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceDayOrder

    requested_date = date(2026, 12, 10)
    service_date = date(2026, 12, 10)
    visit_deadline = date(2026, 12, 15)
    policy = "一集团一政策"
    materials = "横幅, 宣传单页"
    submitted_at = factory.LazyFunction(lambda: __import__("django.utils.timezone").utils.timezone.now())
