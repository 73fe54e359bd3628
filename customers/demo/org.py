"""The small reference tables, through the ORM: regions, teams, staff, brands, plans, channels, enterprises.

Returns an `Org` of numpy lookup arrays that the vectorised customer generator indexes into.
"""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from core.choices import Role
from core.models import Region, StaffProfile, Team
from customers.choices import ChannelKind
from customers.demo import catalog, geo, names, people
from customers.demo.users import DEMO_PASSWORD, ensure_demo_users
from customers.models import Brand, Channel, Plan
from enterprise.models import EnterpriseAccount, LegacyClass

CUSTOMERS_PER_AM = 2_000
TEAM_ORDINALS = "一二三四"
LEGACY_SHARES = ((LegacyClass.A_PLUS, 2), (LegacyClass.A, 8), (LegacyClass.B, 20), (LegacyClass.C, 40),
                 (LegacyClass.D, 25), (LegacyClass.P, 5))


@dataclass
class Grouped:
    """Items sorted by region: ids[start[r]:start[r] + count[r]] belong to region r."""

    ids: np.ndarray
    start: np.ndarray
    count: np.ndarray

    @classmethod
    def build(cls, ids, regions, n_regions: int) -> "Grouped":
        ids, regions = np.asarray(ids, dtype=np.int64), np.asarray(regions, dtype=np.int64)
        order = np.argsort(regions, kind="stable")
        count = np.bincount(regions, minlength=n_regions)
        return cls(ids[order], np.concatenate([[0], np.cumsum(count)[:-1]]), count)

    def pick(self, rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
        """Uniformly one item of each row's region (positions into self.ids)."""
        return self.start[region] + (rng.random(len(region)) * self.count[region]).astype(np.int64)


@dataclass
class Org:
    region_ids: np.ndarray
    region_weights: np.ndarray
    brand_ids: np.ndarray
    plan_ids: np.ndarray  # (brand, slot), -1 padded
    plan_fee: np.ndarray  # cents, (brand, slot), huge where padded
    plan_voice: np.ndarray
    plan_data: np.ndarray
    plan_rate: np.ndarray  # 1/10000 CNY per minute
    plan_count: np.ndarray
    account_managers: Grouped
    am_demo_id: int
    am_demo_region: int
    acquiring: Grouped  # outlets and agents
    acquiring_risk: np.ndarray  # aligned with acquiring.ids
    enterprises: Grouped
    staff_count: int


def _region_table() -> list[Region]:
    objs = [Region(code=c.code, name=c.name) for c in geo.CITIES]
    Region.objects.bulk_create(objs, update_conflicts=True, unique_fields=["code"], update_fields=["name"])
    by_code = {r.code: r for r in Region.objects.filter(code__in=[c.code for c in geo.CITIES])}
    return [by_code[c.code] for c in geo.CITIES]


def _catalog():
    Brand.objects.bulk_create([Brand(code=c, name=n) for c, n in catalog.BRANDS], update_conflicts=True,
                              unique_fields=["code"], update_fields=["name"])
    brands = {b.code: b for b in Brand.objects.filter(code__in=[c for c, _ in catalog.BRANDS])}
    plans = [Plan(code=p.code, name=p.name, brand=brands[b], monthly_fee=Decimal(p.fee), voice_minutes=p.voice,
                  data_mb=p.data_mb, sms_count=p.sms, out_of_plan_voice_rate=Decimal(p.rate))
             for b, specs in catalog.PLANS.items() for p in specs]
    Plan.objects.bulk_create(plans, update_conflicts=True, unique_fields=["code"],
                             update_fields=["name", "brand", "monthly_fee", "voice_minutes", "data_mb", "sms_count",
                                            "out_of_plan_voice_rate"])
    plan_ids = dict(Plan.objects.filter(code__in=[p.code for p in plans]).values_list("code", "id"))
    width = max(len(v) for v in catalog.PLANS.values())
    shape = (len(catalog.BRANDS), width)
    ids, fee = np.full(shape, -1, np.int64), np.full(shape, 10**12, np.int64)
    voice, data, rate = np.zeros(shape, np.int64), np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    for b, (code, _) in enumerate(catalog.BRANDS):
        for s, p in enumerate(catalog.PLANS[code]):
            ids[b, s], fee[b, s], voice[b, s], data[b, s] = plan_ids[p.code], p.fee * 100, p.voice, p.data_mb
            rate[b, s] = int(Decimal(p.rate) * 10000)
    counts = np.array([len(catalog.PLANS[c]) for c, _ in catalog.BRANDS])
    return np.array([brands[c].id for c, _ in catalog.BRANDS]), ids, fee, voice, data, rate, counts


def _teams(rng, regions: list[Region]) -> list[list[Team]]:
    teams = [Team(region=r, name=f"{r.name}客户服务{TEAM_ORDINALS[k]}部")
             for r in regions for k in range(int(rng.integers(2, 5)))]
    Team.objects.bulk_create(teams, ignore_conflicts=True)
    wanted = {(t.region_id, t.name) for t in teams}
    stored = [t for t in Team.objects.filter(region__in=regions).order_by("id") if (t.region_id, t.name) in wanted]
    return [[t for t in stored if t.region_id == r.id] for r in regions]


def _staff(rng, regions, teams, n_customers: int, password_hash: str, demo: dict):
    """Account managers (about one per 2,000 customers, at least 2 a team), a lead per team, a manager per region."""
    weights = np.array([c.population for c in geo.CITIES], dtype=float)
    total_am = max(n_customers // CUSTOMERS_PER_AM, 1)
    rows = []  # (username, role, region idx, team, display-name slot)
    for r, region in enumerate(regions):
        region_am = total_am * weights[r] / weights.sum()
        for k, team in enumerate(teams[r]):
            n_am = max(2, int(round(region_am / len(teams[r]))))
            for a in range(n_am):
                rows.append((f"am{region.code}_{k + 1}_{a + 1:03d}", Role.ACCOUNT_MANAGER, r, team))
            rows.append((f"tl{region.code}_{k + 1}", Role.TEAM_LEAD, r, team))
        rows.append((f"rm{region.code}", Role.REGIONAL_MANAGER, r, None))
    # The demo users take the place of one generated account manager, lead and regional manager.
    demo_team = teams[0][0]
    replaced = {f"am{regions[0].code}_1_001": demo["am_demo"], f"tl{regions[0].code}_1": demo["lead_demo"],
                f"rm{regions[0].code}": demo["region_demo"]}
    rows = [row for row in rows if row[0] not in replaced]
    male = rng.random(len(rows)) < 0.55
    display = people.chinese_names(rng, male).to_pylist()
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=u, password=password_hash, first_name=display[i], email=f"{u}@hn.demo.invalid")
         for i, (u, *_rest) in enumerate(rows)],
        update_conflicts=True, unique_fields=["username"], update_fields=["password", "first_name", "email"],
    )
    ids = {u.username: u.pk for u in User.objects.filter(username__in=[r[0] for r in rows])}
    StaffProfile.objects.bulk_create(
        [StaffProfile(user_id=ids[u], employee_no=f"HN{u.upper().replace('_', '')}", display_name=display[i],
                      region=regions[r], team=team) for i, (u, _, r, team) in enumerate(rows)],
        update_conflicts=True, unique_fields=["user"], update_fields=["employee_no", "display_name", "region", "team"],
    )
    groups = {g.name: g.pk for g in Group.objects.all()}
    through = User.groups.through
    through.objects.bulk_create([through(user_id=ids[u], group_id=groups[role]) for u, role, *_ in rows],
                                ignore_conflicts=True)
    am_ids = [ids[u] for u, role, *_ in rows if role == Role.ACCOUNT_MANAGER] + [demo["am_demo"]]
    am_region = [r for _, role, r, _ in rows if role == Role.ACCOUNT_MANAGER] + [0]
    assert demo_team.region_id == regions[0].id
    return am_ids, am_region, len(users) + len(replaced)


def _channels(rng, regions: list[Region]):
    """Per region: self-run and partner channels, their outlets, and agents under the outlets."""
    acquiring, risks, region_of = [], [], []
    for r, region in enumerate(regions):
        city = geo.CITIES[r]
        tops = [Channel(code=f"ch-{region.code}-{k}", name=f"{city.full_name}{label}", kind=ChannelKind.CHANNEL,
                        region=region) for k, label in ((1, "自营渠道"), (2, "社会渠道"))]
        Channel.objects.bulk_create(tops, update_conflicts=True, unique_fields=["code"],
                                    update_fields=["name", "kind", "region", "parent"])
        outlets, agents = [], []
        for k, top in enumerate(tops, start=1):
            for o in range(int(rng.integers(3, 7))):
                district = city.districts[int(rng.integers(len(city.districts)))][1]
                label = "营业厅" if k == 1 else "合作营业厅"
                outlets.append(Channel(code=f"ol-{region.code}-{k}-{o + 1:02d}",
                                       name=f"{city.name}{district}{label}{o + 1}",
                                       kind=ChannelKind.OUTLET, parent=top, region=region))
        Channel.objects.bulk_create(outlets, update_conflicts=True, unique_fields=["code"],
                                    update_fields=["name", "kind", "region", "parent"])
        for outlet in outlets:
            for a in range(int(rng.integers(1, 5))):
                word = names.COMPANY_WORDS[int(rng.integers(len(names.COMPANY_WORDS)))]
                agents.append(Channel(code=f"ag{outlet.code[2:]}-{a + 1}", name=f"{city.name}{word}通讯代理{a + 1}",
                                      kind=ChannelKind.AGENT, parent=outlet, region=region))
        Channel.objects.bulk_create(agents, update_conflicts=True, unique_fields=["code"],
                                    update_fields=["name", "kind", "region", "parent"])
        codes = [c.code for c in outlets + agents]
        by_code = dict(Channel.objects.filter(code__in=codes).values_list("code", "id"))
        acquiring += [by_code[c] for c in codes]
        region_of += [r] * len(codes)
        # Self-run outlets are careful; some partner agents sign up customers who never pay.
        risks += [0.6 if o.parent.code.endswith("-1") else 1.0 for o in outlets]
        risks += list(rng.lognormal(0.1, 0.6, len(agents)))
    return acquiring, region_of, np.array(risks)


def _enterprises(rng, regions, n_customers: int, ams: Grouped, am_demo_id: int) -> Grouped:
    n = max(2, round(n_customers / 500))
    weights = np.array([c.population for c in geo.CITIES], dtype=float)
    region = rng.choice(len(regions), size=n, p=weights / weights.sum())
    word = rng.integers(len(names.COMPANY_WORDS), size=n)
    trade = rng.integers(len(names.COMPANY_TRADES), size=n)
    suffix = rng.integers(len(names.COMPANY_SUFFIXES), size=n)
    legacy = rng.choice(len(LEGACY_SHARES), size=n, p=np.array([s for _, s in LEGACY_SHARES]) / 100)
    manager = ams.ids[ams.pick(rng, region)]
    if not (region == 0).any():  # the demo account manager's region (0) has a group, whatever the province's size
        region[0] = 0
    manager[np.flatnonzero(region == 0)[0]] = am_demo_id  # and the demo account manager manages one
    objs = [EnterpriseAccount(
        name=f"{geo.CITIES[region[i]].name}{names.COMPANY_WORDS[word[i]]}{names.COMPANY_TRADES[trade[i]][0]}"
             f"{names.COMPANY_SUFFIXES[suffix[i]]}",
        industry=names.COMPANY_TRADES[trade[i]][1], region=regions[region[i]],
        legacy_class=LEGACY_SHARES[legacy[i]][0], account_manager_id=int(manager[i])) for i in range(n)]
    created = EnterpriseAccount.objects.bulk_create(objs)
    return Grouped.build([e.pk for e in created], region, len(regions))


def build_org(seed: int, n_customers: int) -> Org:
    rng = np.random.default_rng([seed, 1])
    regions = _region_table()
    brand_ids, plan_ids, fee, voice, data, rate, counts = _catalog()
    teams = _teams(rng, regions)
    password_hash = make_password(DEMO_PASSWORD)
    ensure_demo_users(team=teams[0][0], password_hash=password_hash)
    User = get_user_model()
    demo = dict(User.objects.filter(username__in=["am_demo", "lead_demo", "region_demo"]).values_list("username", "id"))
    am_ids, am_region, staff = _staff(rng, regions, teams, n_customers, password_hash, demo)
    ams = Grouped.build(am_ids, am_region, len(regions))
    acquiring, acq_region, risks = _channels(rng, regions)
    order = np.argsort(np.asarray(acq_region), kind="stable")
    acq = Grouped.build(acquiring, acq_region, len(regions))
    enterprises = _enterprises(rng, regions, n_customers, ams, demo["am_demo"])
    return Org(
        region_ids=np.array([r.id for r in regions]),
        region_weights=np.array([c.population for c in geo.CITIES], dtype=float),
        brand_ids=brand_ids, plan_ids=plan_ids, plan_fee=fee, plan_voice=voice, plan_data=data, plan_rate=rate,
        plan_count=counts, account_managers=ams, am_demo_id=demo["am_demo"], am_demo_region=0,
        acquiring=acq, acquiring_risk=risks[order], enterprises=enterprises, staff_count=staff,
    )
