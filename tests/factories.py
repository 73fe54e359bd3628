"""factory_boy factories shared by all tests."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User

from core.models import Region, StaffProfile, Team
from customers.models import Brand, Channel, Customer, Line, Plan, UsageSummary
from customers.policies import id_check_char


def resident_id(n: int, area: str = "430102", born: str = "19900101") -> str:
    first17 = f"{area}{born}{n % 1000:03d}"
    return first17 + id_check_char(first17)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"43{n + 1:02d}")
    name = factory.Sequence(lambda n: f"城市{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"团队{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    employee_no = factory.Sequence(lambda n: f"E{n:06d}")
    display_name = factory.Sequence(lambda n: f"员工{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ["code"]

    code = "gotone"
    name = "全球通"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ["code"]

    code = "gotone-88"
    name = "全球通88元套餐"
    brand = factory.SubFactory(BrandFactory)
    monthly_fee = Decimal("88.00")
    voice_minutes = 300
    data_mb = 10240
    sms_count = 100
    out_of_plan_voice_rate = Decimal("0.1900")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    code = factory.Sequence(lambda n: f"outlet-{n}")
    name = factory.Sequence(lambda n: f"营业厅{n}")
    kind = "outlet"
    region = factory.SubFactory(RegionFactory)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户{n}")
    id_number = factory.Sequence(resident_id)
    address = "湖南省长沙市芙蓉区五一大道100号"
    region = factory.SubFactory(RegionFactory)
    brand = factory.SubFactory(BrandFactory)
    join_date = date(2020, 1, 15)
    acquiring_channel = factory.SubFactory(ChannelFactory, region=factory.SelfAttribute("..region"))


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Line

    customer = factory.SubFactory(CustomerFactory)
    msisdn = factory.Sequence(lambda n: f"1380000{n:04d}")
    plan = factory.SubFactory(PlanFactory)
    activated_on = date(2020, 1, 15)


class UsageSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageSummary

    line = factory.SubFactory(LineFactory)
    customer = factory.SelfAttribute("line.customer")
    month = date(2026, 10, 1)
    voice_minutes = 200
    data_mb = 5000
    sms_count = 20
    plan_saturation = Decimal("66.00")
    bill_amount = Decimal("88.00")
    prepaid_balance = Decimal("12.00")
