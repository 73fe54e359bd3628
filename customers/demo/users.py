"""One predictable login per role for demos (idempotent)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from core.choices import Role
from core.models import StaffProfile, Team
from core.roles import SERVICE_ROLES, role_groups_sync

DEMO_PASSWORD = "demo-pass-2026"

# username, role, display name, scope ("team", "region" or None for province-wide)
DEMO_USERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("am_demo", Role.ACCOUNT_MANAGER, "演示客户经理", "team"),
    ("lead_demo", Role.TEAM_LEAD, "演示团队主管", "team"),
    ("region_demo", Role.REGIONAL_MANAGER, "演示区域经理", "region"),
    ("credit_demo", Role.CREDIT_OFFICER, "演示信用管理员", None),
    # a second credit officer: the four-eyes requests waiting on credit_demo's home are theirs
    ("credit2_demo", Role.CREDIT_OFFICER, "演示信用经办员", None),
    ("marketing_demo", Role.MARKETING, "演示市场专员", None),
    ("collections_demo", Role.COLLECTIONS, "演示催缴专员", None),
    ("admin_demo", Role.ADMIN, "演示管理员", None),
    ("billing_demo", Role.BILLING_SERVICE, "计费系统接口", None),
)
DEMO_USERNAMES = frozenset(u for u, *_ in DEMO_USERS)


def _demo_team(team: Team | None) -> Team | None:
    if team is not None:
        return team
    profile = StaffProfile.objects.filter(user__username="am_demo", team__isnull=False).select_related("team").first()
    if profile:
        return profile.team
    return Team.objects.select_related("region").order_by("region__code", "name").first()


@transaction.atomic
def ensure_demo_users(team: Team | None = None, password_hash: str | None = None) -> list[tuple[str, str, str]]:
    """Create or refresh the demo users; returns [(username, role, password)].

    am_demo and lead_demo sit in `team` (default: am_demo's current team, else the first team),
    region_demo in that team's region. billing_demo gets a DRF token and no usable password (service
    accounts are API-only). Passwords are reset to DEMO_PASSWORD every time (one hash for all, computed once).
    """
    from rest_framework.authtoken.models import Token

    role_groups_sync()
    team = _demo_team(team)
    password_hash = password_hash or make_password(DEMO_PASSWORD)
    groups = {g.name: g for g in Group.objects.filter(name__in=[r for _, r, _, _ in DEMO_USERS])}
    User = get_user_model()
    result = []
    for username, role, display_name, scope in DEMO_USERS:
        is_admin, service = role == Role.ADMIN, role in SERVICE_ROLES
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"password": make_password(None) if service else password_hash, "is_active": True,
                      "is_staff": is_admin, "is_superuser": is_admin, "first_name": display_name,
                      "email": f"{username}@demo.invalid"},
        )
        user.groups.set([groups[role]])
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={"employee_no": f"DEMO-{username.split('_')[0].upper()}", "display_name": display_name,
                      "region": team.region if team and scope else None,
                      "team": team if scope == "team" else None},
        )
        if role == Role.BILLING_SERVICE:
            Token.objects.get_or_create(user=user)
        result.append((username, str(role), "(API token only)" if service else DEMO_PASSWORD))
    return result
