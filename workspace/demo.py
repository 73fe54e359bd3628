"""The demo staff's working day, after the replayed history: what credit officers, collections, account managers
and their lead do through the product's services, so each role's home and the pages it links to have the day's
work on a fresh clone (issue #18 item 7).

These are staff actions, i.e. outside inputs, never derived state: every row comes from the service a page or
the API calls (exemption, emergency pass, four-eyes limit request, promise to pay, task, reassignment, blacklist
entry, a payment billing posts), with the demo users as the actors, so the rules (permissions, star
eligibility, policy maxima, working days, scope) apply as they would to a person. A step whose candidates are
missing in a small province is skipped; a refusal by a rule is skipped too (the demo shows what the rules allow).
Called once by setup_demo on a fresh province; the selection is by id order, so the same province gives the
same day.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from arrears import services as arrears_services
from arrears.choices import BarringState, CollectionStatus
from arrears.models import LineAccount
from arrears.selectors import collection_queue
from core.scope import customer_scope_q
from core.selectors import working_calendar
from credit import policies as credit_policies
from credit import services as credit_services
from credit.four_eyes import policy as four_eyes_policy
from customers.models import Customer
from enterprise import services as enterprise_services
from enterprise.models import EnterpriseAccount
from enterprise.policies import due_date_on_working_day

EXEMPTIONS = 3
EMERGENCY_PASSES = 2
PROMISES = 5  # of the top cases by amount; two more cases get another outcome
TASKS = (("回访集团客户，确认年度续约意向", 1), ("上门拜访信息中心主管，了解专线扩容需求", 2),
         ("整理集团成员欠费明细并提醒联系人", 3))
REFUSED = (ValidationError, PermissionDenied, arrears_services.EmergencyRefused)


def _users() -> dict:
    return {u.username: u for u in get_user_model().objects.filter(username__endswith="_demo")}


def _try(action, done: list, what: str) -> None:
    """One staff action in its own savepoint: a rule's refusal is skipped (and counted), anything else raises."""
    try:
        with transaction.atomic():
            action()
    except REFUSED:
        done.append(f"{what}: refused")
    else:
        done.append(what)


def _in_arrears():
    """Open lines in arrears, most owed first (the order the collection queue shows)."""
    return (LineAccount.objects.filter(arrears_since__isnull=False).exclude(state=BarringState.CLOSED)
            .select_related("line", "customer").order_by("balance", "line_id"))


def staff_day(*, stdout=None) -> dict[str, int]:
    """The demo staff's actions of today; returns how many of each were taken (refusals not counted)."""
    users, today = _users(), timezone.localdate()
    done: list[str] = []
    credit, collections = users["credit_demo"], users["collections_demo"]
    taken = set()

    # A credit officer exempts a few barred lines (a hospital, a government hotline ...) for two weeks.
    exempted = _in_arrears().filter(state__in=[BarringState.ONE_WAY, BarringState.TWO_WAY])
    for account in exempted[:EXEMPTIONS]:
        taken.add(account.pk)
        _try(lambda a=account: arrears_services.line_exempt(
            line=a.line, until=today + timedelta(days=14), reason="政府热线转办：医院联络号码，暂缓停机", by=credit),
            done, "exemption")

    # Customers of 3★ and above in arrears (or nearest to it) ask for emergency continuity (counter, hotline).
    eligible = [s for s in range(6) if credit_policies.star_policy(s).emergency_continuity]
    passes = (LineAccount.objects.filter(customer__credit_star__in=eligible).exclude(state=BarringState.CLOSED)
              .exclude(pk__in=taken).select_related("line", "customer")
              .order_by(F("arrears_since").asc(nulls_last=True), "balance", "line_id"))  # in arrears, else lowest
    for account, channel in zip(passes[:EMERGENCY_PASSES], ("hotline", "counter"), strict=False):
        taken.add(account.pk)
        _try(lambda a=account, c=channel: arrears_services.emergency_pass_grant(line=a.line, channel=c,
                                                                                by=collections),
             done, "emergency pass")

    # Collections work the queue's top cases: promises to pay, one unreachable, one just called.
    queue = [a for a in collection_queue(user=collections, today=today)[:PROMISES + 2 + len(taken)]
             if a.pk not in taken]
    for i, account in enumerate(queue[:PROMISES + 2]):
        owed = max(-account.balance, Decimal("10.00"))
        if i < PROMISES:
            step = dict(status=CollectionStatus.PROMISED, outcome="客户承诺月底前缴清",
                        promised_on=today + timedelta(days=3 + 2 * i), promised_amount=owed.quantize(Decimal("1")))
        else:
            step = dict(status=CollectionStatus.UNREACHABLE if i == PROMISES else CollectionStatus.OPEN,
                        outcome="三次拨打未接通" if i == PROMISES else "已短信提醒，待回电")
        _try(lambda a=account, s=step: arrears_services.collection_record(account=a, by=collections, **s),
             done, "collection case")

    _four_eyes(users, done)
    _blacklist_settlement(users, today, done)
    _tasks(users, today, done)

    counts: dict[str, int] = {}
    for what in done:
        counts[what] = counts.get(what, 0) + 1
    if stdout is not None:
        stdout.write("Demo staff's day: " + ", ".join(f"{what} {n}" for what, n in sorted(counts.items())))
    return counts


def _four_eyes(users: dict, done: list) -> None:
    """A second credit officer asks for a limit above the star's range for a good customer of the demo book:
    it waits on credit_demo's home for the second pair of eyes."""
    requester = users.get("credit2_demo")
    if requester is None:
        return
    ceiling = four_eyes_policy().limit_ceiling
    am = users["am_demo"]
    for star in (5, 4, 3):
        p = credit_policies.star_policy(star)
        amount = min(p.limit_max + Decimal("500"), ceiling)
        if not p.grants_credit or credit_policies.limit_in_range(star, amount):
            continue
        good = Customer.objects.filter(credit_star=star).exclude(status="closed").order_by("id")
        customer = good.filter(account_manager=am).first() or good.first()
        if customer is None:
            continue
        _try(lambda c=customer, a=amount: credit_services.credit_limit_change(
            customer=c, amount=a, reason="集团大客户续约，申请临时提高信用额度", by=requester),
            done, "four-eyes request")
        return


def _blacklist_settlement(users: dict, today, done: list) -> None:
    """A credit officer blacklists the deepest two-way-barred debtor for what they owe; billing then posts a
    partial payment on that line, which the blacklist entry counts towards its settlement."""
    account = (_in_arrears().filter(state=BarringState.TWO_WAY, balance__lt=0)
               .exclude(line__exemptions__isnull=False).first())
    if account is None:
        return
    owed = -account.balance
    _try(lambda: credit_services.customer_blacklist(
        customer=account.customer, reason="恶意欠费，多次催缴未果", amount_owed=owed, by=users["credit_demo"],
        evidence="催缴记录三次，停机六十天以上"), done, "blacklist entry")
    paid_at = timezone.make_aware(datetime.combine(today, time(9, 30)))
    part = (owed * Decimal("0.4")).quantize(Decimal("0.01"))
    _try(lambda: arrears_services.payment_record(
        line=account.line, amount=part, paid_at=paid_at, channel="outlet",
        reference=f"S{account.line_id:010d}", by=users["billing_demo"]), done, "blacklist payment")


def _tasks(users: dict, today, done: list) -> None:
    """The lead gives the demo account manager today's enterprise tasks (first handing over a group of the team
    when the manager has none)."""
    am, lead = users["am_demo"], users["lead_demo"]
    accounts = EnterpriseAccount.objects.filter(account_manager=am).order_by("id")
    if not accounts.exists():
        team = getattr(getattr(am, "staff_profile", None), "team_id", None)
        candidates = EnterpriseAccount.objects.order_by("id")
        handed = (candidates.filter(account_manager__staff_profile__team_id=team).first() if team else None) or \
            candidates.filter(region_id=getattr(am.staff_profile, "region_id", None)).first() or candidates.first()
        if handed is None:
            return
        _try(lambda: enterprise_services.account_reassign(account=handed, to_manager=am, by=users["admin_demo"],
                                                          reason="新客户经理接手集团客户"), done, "group handed over")
    account = accounts.first()
    if account is None:
        return
    calendar = working_calendar()
    due = today if due_date_on_working_day(today, calendar=calendar) is None else calendar.working_day_on_or_after(
        today - timedelta(days=7))
    by = lead if EnterpriseAccount.objects.filter(pk=account.pk).filter(
        customer_scope_q(lead)).exists() else users["admin_demo"]
    for title, priority in TASKS:
        _try(lambda t=title, p=priority: enterprise_services.task_create(
            account=account, title=t, due_date=due, assigned_by=by, assigned_to=am, priority=p), done, "task")

