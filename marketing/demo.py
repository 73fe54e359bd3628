"""Demo campaigns in the states a review desk sees: running (with tagged customers), in review with
warnings, returned, rejected and a draft. Idempotent: does nothing when campaigns exist.

Called once from workspace/management/commands/setup_demo.py (after the demo users exist).
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import F

from customers.models import Brand, Customer
from marketing import services
from marketing.batches import refresh_usage_facts
from marketing.choices import CampaignStatus as S
from marketing.choices import RiskControl
from marketing.models import Campaign

CONVERTED_DEMO = 40  # targeted customers who took the running campaign's offer


def _brand(code: str) -> list[int]:
    return list(Brand.objects.filter(code=code).values_list("pk", flat=True))


def _walk(campaign, *steps):
    for to_status, user, reason in steps:
        campaign = services.campaign_transition(campaign=campaign, to_status=to_status, by=user, reason=reason)
    return campaign


def _backdate(campaign, *, days: int):
    """Demo only: as if the campaign had been reviewed and launched `days` ago, so its results page has
    months of bills to compare with the forecast."""
    shift = timedelta(days=days)
    Campaign.objects.filter(pk=campaign.pk).update(launched_at=F("launched_at") - shift,
                                                   created_at=F("created_at") - shift)
    campaign.decisions.update(at=F("at") - shift)
    campaign.members.update(tagged_at=F("tagged_at") - shift)


def generate(stdout=None) -> int:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["marketing_demo", "credit_demo"])}
    if Campaign.objects.exists() or len(users) < 2 or not Customer.objects.exists():
        return 0
    marketing, credit = users["marketing_demo"], users["credit_demo"]
    refresh_usage_facts(0, 2**62)  # what the nightly batch keeps: the saturation the segment rules read
    common = {"tariff_unit": "MB", "duration_months": 12, "monthly_cost": Decimal("8.00"),
              "channels": "营业厅、社会渠道代理商", "promotion": "短信+营业厅海报，讲清计费周期、出账日与滞纳金"}

    running = services.campaign_create(
        author=marketing, name="全球通流量升档", goal="存量全球通高饱和客户升档到更大流量套餐",
        segment={"brand": _brand("gotone"), "star": ["2", "3", "4", "5"], "tenure_min": 12, "saturation_min": "80"},
        packages="全球通128元套餐（30GB）", in_plan_tariff=Decimal("0.0040"), out_of_plan_tariff=Decimal("0.0200"),
        expected_participants=300, monthly_revenue=Decimal("128.00"), incentive_per_customer=Decimal("20.00"),
        incentive_basis="quality", min_star=2, deposit=Decimal("0.00"), usage_cap=Decimal("300.00"),
        limit_cap=Decimal("300.00"), **common)
    running = _walk(running, (S.SUBMITTED, marketing, ""), (S.IN_REVIEW, credit, ""))
    services.opinions_record(campaign=running, by=credit, opinions={  # an approval needs one per risk control
        **{c: ("acceptable", "") for c in RiskControl.values}, "deposit": ("concern", "未收押金，靠2★门槛控制")})
    running = _walk(running, (S.APPROVED, credit, "2★以上、设流量封顶，风险可控"), (S.RUNNING, marketing, "上线"))
    _backdate(running, days=180)
    converted = running.members.order_by("customer_id").values_list("customer_id", flat=True)[:CONVERTED_DEMO]
    for customer in Customer.objects.filter(pk__in=list(converted)):
        services.member_tag(campaign=running, customer=customer, how="converted", by=marketing)

    review = services.campaign_create(
        author=marketing, name="动感地带校园卡", goal="开学季发展新生，抢占校园市场",
        segment={"brand": _brand("mzone"), "star": ["unrated", "0", "1"], "tenure_max": 12},
        packages="动感地带校园卡（18元/月）", in_plan_tariff=Decimal("0.0300"), out_of_plan_tariff=Decimal("0.2400"),
        expected_participants=2000, monthly_revenue=Decimal("18.00"), incentive_per_customer=Decimal("30.00"),
        incentive_basis="volume", deposit=Decimal("0.00"), usage_cap=None, **common)
    review = _walk(review, (S.SUBMITTED, marketing, ""), (S.IN_REVIEW, credit, ""))
    services.opinions_record(campaign=review, by=credit, opinions={
        "usage_cap": ("must_change", "必须设置流量封顶"),
        "channel_incentive": ("concern", "酬金只按数量，建议与欠费挂钩")})

    returned = services.campaign_create(
        author=marketing, name="神州行低门槛入网", goal="县域市场发展预付费新用户",
        segment={"brand": _brand("easyown"), "star": ["0", "1"]}, packages="神州行8元卡",
        in_plan_tariff=Decimal("0.1000"), out_of_plan_tariff=Decimal("0.5000"), expected_participants=1000,
        monthly_revenue=Decimal("15.00"), incentive_basis="volume_quality", deposit=Decimal("0.00"),
        usage_cap=Decimal("50.00"), **common)
    _walk(returned, (S.SUBMITTED, marketing, ""), (S.IN_REVIEW, credit, ""))
    services.opinions_record(campaign=returned, by=credit, opinions={  # the author answers the "must change"
        "deposit": ("must_change", "0–1★客户须预存50元"), "barring": ("must_change", "改为预付费或零余额即停机")})
    _walk(returned, (S.RETURNED, credit, "0–1★客户无预存款，请增加50元预存或改为预付费"))

    rejected = services.campaign_create(
        author=marketing, name="不限量流量包", goal="高流量用户促销", segment={"spend_min": "50"},
        packages="流量包10元1GB，超出1元/MB", in_plan_tariff=Decimal("0.0100"), out_of_plan_tariff=Decimal("1.0000"),
        expected_participants=5000, monthly_revenue=Decimal("60.00"), incentive_basis="volume",
        usage_cap=None, **common)
    _walk(rejected, (S.SUBMITTED, marketing, ""), (S.IN_REVIEW, credit, ""),
          (S.REJECTED, credit, "套餐内外资费相差100倍，远超5–10倍的控制范围"))

    services.campaign_create(
        author=marketing, name="家庭融合宽带", goal="手机+宽带融合，提升稳定期客户黏性",
        segment={"lifecycle_stage": ["stable"], "star": ["3", "4", "5"], "enterprise_member": False},
        packages="融合套餐199元（宽带+2张副卡）", in_plan_tariff=Decimal("0.0050"),
        out_of_plan_tariff=Decimal("0.0300"), expected_participants=800, monthly_revenue=Decimal("199.00"),
        incentive_basis="quality", deposit=Decimal("100.00"), usage_cap=Decimal("400.00"), **common)
    if stdout is not None:
        stdout.write(f"Demo campaigns: 5 (running one tagged {running.members.count():,} customers)")
    return 5
