"""The single rule deciding which customers a user may see (DOMAIN.md §1).

Every page, API endpoint and export filters customers through `customer_scope_q`.
"""

from django.db.models import Q

from core.choices import Role
from core.models import StaffProfile
from core.roles import PROVINCE_WIDE_ROLES, user_role

NOTHING = Q(pk__in=[])


def customer_scope_q(user, prefix: str = "") -> Q:
    """A Q object limiting customers (or rows reached through `prefix`, e.g. "customer__") to the user's scope."""
    role = user_role(user)
    if role in PROVINCE_WIDE_ROLES:
        return Q()
    profile = getattr(user, "staff_profile", None)
    if role == Role.ACCOUNT_MANAGER:
        return Q(**{f"{prefix}account_manager_id": user.pk})
    if role == Role.TEAM_LEAD and profile and profile.team_id:
        return Q(**{f"{prefix}account_manager__staff_profile__team_id": profile.team_id})
    if role == Role.REGIONAL_MANAGER and profile and profile.region_id:
        return Q(**{f"{prefix}region_id": profile.region_id})
    return NOTHING


def scope_holders_q(subject) -> Q:
    """Users whose scope includes `subject` (a customer or enterprise account: account_manager, region): the
    reverse of `customer_scope_q`, e.g. to offer only assignees who will see what they are given."""
    team_id = StaffProfile.objects.filter(user_id=subject.account_manager_id).values_list("team_id", flat=True).first()
    q = Q(is_superuser=True) | Q(groups__name__in=PROVINCE_WIDE_ROLES)
    if subject.account_manager_id:
        q |= Q(groups__name=Role.ACCOUNT_MANAGER, pk=subject.account_manager_id)
    if team_id:
        q |= Q(groups__name=Role.TEAM_LEAD, staff_profile__team_id=team_id)
    q |= Q(groups__name=Role.REGIONAL_MANAGER, staff_profile__region_id=subject.region_id)
    return q


PROVINCE = "province"


def aggregate_scope(user) -> tuple[str, int | None] | None:
    """Whether the user's figures can be summed from pre-aggregates kept by region: ("province", None) for a
    province-wide role, ("region", id) for a regional manager; None for a narrower scope (a manager's or a lead's
    book, grouped by no dimension a pre-aggregate keeps), which is read live."""
    role = user_role(user)
    if role in PROVINCE_WIDE_ROLES:
        return PROVINCE, None
    region_id = getattr(getattr(user, "staff_profile", None), "region_id", None)
    if role == Role.REGIONAL_MANAGER and region_id:
        return "region", region_id
    return None
