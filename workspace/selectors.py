"""Reads that compose several apps for the workspace pages: the home page's day of work per role and the
customer 360.

The home page reads bounded lists only (top N + 1, to know whether to offer "see all"), each through an
indexed predicate of the user's scope (core.scope): no aggregate over a whole table."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.choices import PaymentChannel
from arrears.models import BarringEvent, Bill, EmergencyPass, Exemption, LineAccount, Payment
from arrears.policies import BARRED, age_bucket
from arrears.selectors import collection_queue
from arrears.value import customer_value_latest
from core import stability
from core.choices import Role
from core.models import CalendarDay
from core.roles import PROVINCE_WIDE_ROLES, user_role
from core.scope import aggregate_scope, customer_scope_q
from credit.blacklist import SETTLED_BY_PAYMENT
from credit.choices import Feature, ModelStatus
from credit.models import ModelStability as CreditStability, ScoringModel
from credit.selectors import customer_credit, four_eyes_list
from credit.sharing import usable_credit_limit
from customers import selectors as customer_selectors
from customers.choices import CallbackStatus
from customers.models import BlacklistEntry, Customer, Line, LineStatusChange, OnboardingCallback
from customers.selectors import dashboard_figures
from enterprise.choices import TaskStatus
from enterprise.selectors import task_list
from marketing.choices import CampaignStatus
from marketing.models import Campaign, CampaignMember
from marketing.selectors import notifications_for
from retention import features as churn_features
from retention import policies as retention_policies
from retention.choices import Signal
from retention.models import ChurnScore, ModelStability as ChurnStability, RetentionAlert
from retention.selectors import alert_list, champion_model
from workspace import home_facts

HOME_ROWS = 8  # each list on the home page shows at most this many; "see all" links to the full list
NEW_DAYS = 7  # "newly" in arrears or barred: within the last week
OPEN_TASK = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
REVIEW_WAITING = (CampaignStatus.SUBMITTED, CampaignStatus.IN_REVIEW)
OWN_OPEN = (CampaignStatus.DRAFT, CampaignStatus.RETURNED)


@dataclass
class HomeList:
    """One list of the day's work: its rows (at most HOME_ROWS), whether there are more, where to see all."""

    key: str
    rows: list = field(default_factory=list)
    more: bool = False
    see_all: str = ""


def _bounded(key: str, queryset, see_all: str = "", rows: int = HOME_ROWS) -> HomeList:
    found = list(queryset[:rows + 1])
    return HomeList(key=key, rows=found[:rows], more=len(found) > rows, see_all=see_all)


def _in_scope(queryset, user, prefix: str):
    """Narrow to the user's scope; a province-wide reader gets no predicate at all (the plan walks the index)."""
    scope = customer_scope_q(user, prefix=prefix)
    return queryset.filter(scope) if scope else queryset


def book_callbacks(*, user, today: date) -> HomeList:
    """Identity callbacks due today or overdue, of customers in the user's book."""
    qs = _in_scope(OnboardingCallback.objects.filter(status=CallbackStatus.OPEN, due_on__lte=today), user,
                   "customer__")
    return _bounded("callbacks", qs.select_related("customer").order_by("due_on", "id"),
                    reverse("customers:callbacks"))


def book_tasks(*, user, today: date) -> HomeList:
    """Enterprise tasks assigned to the user (a lead: the team's) due today or overdue."""
    qs = task_list(user=user).filter(status__in=OPEN_TASK, due_date__lte=today)
    if user_role(user) == Role.ACCOUNT_MANAGER:
        qs = qs.filter(assigned_to=user)
    return _bounded("tasks", qs.order_by("due_date", "-priority", "id"), reverse("enterprise:tasks"))


def book_alerts(*, user) -> HomeList:
    """Retention alerts still to work (open, contacted, offer made), highest risk first."""
    qs = alert_list(user=user).exclude(status__in=retention_policies.CLOSED_STATUSES)
    return _bounded("alerts", qs.order_by("-score", "-opened_at"), reverse("retention:alerts"))


def book_arrears(*, user, today: date) -> HomeList:
    """Lines of the book that went into arrears or were barred in the last NEW_DAYS days, newest first."""
    since = today - timedelta(days=NEW_DAYS)
    qs = LineAccount.objects.filter(Q(arrears_since__gte=since) | Q(state__in=BARRED, state_since__gte=since))
    if customer_scope_q(user):
        qs = qs.filter(customer__in=Customer.objects.visible_to(user))
    qs = qs.select_related("line", "customer").order_by("-state_since", "balance", "line_id")
    found = _bounded("arrears", qs, reverse("arrears:collection") if user.has_perm(
        "arrears.view_collectioncase") else "")
    for account in found.rows:
        _decorate_account(account, today)
    return found


def reviews_waiting(*, user) -> HomeList:
    """Campaigns submitted for credit review that the user did not write (the reviewer is a second person)."""
    qs = Campaign.objects.filter(status__in=REVIEW_WAITING).exclude(author=user).select_related("author")
    return _bounded("reviews", qs.order_by("created_at", "id"),
                    f'{reverse("marketing:campaigns")}?status={CampaignStatus.SUBMITTED}&status={CampaignStatus.IN_REVIEW}')


def own_campaigns(*, user) -> HomeList:
    """The user's campaigns still to finish: drafts and those returned for changes, most recently changed first."""
    qs = Campaign.objects.filter(author=user, status__in=OWN_OPEN)
    return _bounded("campaigns", qs.order_by("-updated_at", "-id"),
                    f'{reverse("marketing:campaigns")}?status={CampaignStatus.DRAFT}&status={CampaignStatus.RETURNED}')


def four_eyes_waiting(*, user) -> HomeList:
    """Four-eyes requests waiting for a second person: the user's own requests are not theirs to decide."""
    qs = four_eyes_list(user=user).exclude(requested_by=user).prefetch_related("subject")
    return _bounded("four_eyes", qs.order_by("requested_at", "id"), reverse("credit:four-eyes"))


def blacklist_settlements(*, today: date) -> HomeList:
    """Blacklist entries being paid off (paid something, still open) and those settled by payment this week."""
    since = timezone.make_aware(datetime.combine(today - timedelta(days=NEW_DAYS), time.min))
    qs = BlacklistEntry.objects.filter(Q(cleared_at__isnull=True, amount_paid__gt=0)
                                       | Q(cleared_at__gte=since, cleared_reason__startswith=f"{SETTLED_BY_PAYMENT}:"))
    return _bounded("blacklist", qs.select_related("customer").order_by("-updated_at", "-id"),
                    reverse("credit:blacklist"))


@dataclass
class DriftWarning:
    model: str
    version: str
    variable: str
    label: str  # the variable as staff read it (a feature's label, not its code)
    month: date
    psi: float
    level: str
    url: str


def calendar_unconfirmed(*, today: date) -> HomeList:
    """Coming calendar days derived from the holiday law (2027's shipped days) that nobody has checked against the
    State Council's notice yet: every working-day rule (service days, visit logs, report and task due dates)
    counts on them, and a year's make-up working days (调休上班) arrive only with that notice."""
    qs = CalendarDay.objects.filter(confirmed=False, date__gte=today).order_by("date")
    return _bounded("calendar", qs, reverse("admin:core_calendarday_changelist") + "?confirmed__exact=0")


def model_drift() -> HomeList:
    """The running credit model's and the champion churn model's variables whose latest month's PSI is at or
    above the warning level (core.stability), worst first."""
    warnings = []
    running = ScoringModel.objects.filter(status=ModelStatus.PUBLISHED).first()
    if running is not None:
        warnings += _drift(CreditStability.objects.filter(scoring_model=running), "credit", running.version,
                           reverse("credit:model", kwargs={"pk": running.pk}),
                           {**dict(Feature.choices), "score": _("Score")})
    champion = champion_model()
    if champion is not None:
        warnings += _drift(ChurnStability.objects.filter(learned_model=champion), "churn", champion.version,
                           reverse("retention:models"), {**churn_features.labels_zh(), "score": _("Score")})
    warnings.sort(key=lambda w: -w.psi)
    return HomeList(key="drift", rows=warnings[:HOME_ROWS], more=len(warnings) > HOME_ROWS)


def _drift(stabilities, model: str, version, url: str, labels: dict) -> list[DriftWarning]:
    latest = stabilities.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return []
    rows = stabilities.filter(month=latest, psi__gte=stability.WARNING).values_list("variable", "psi")
    return [DriftWarning(model=model, version=str(version), variable=variable,
                         label=str(labels.get(variable, variable)), month=latest, psi=psi,
                         level=stability.ALERT_LEVEL if psi >= stability.ALERT else stability.WARNING_LEVEL, url=url)
            for variable, psi in rows]


def _with_channel_labels(payments) -> list:
    """Payments with `channel_label`: the known channel's label (billing's free text for a channel it invented)."""
    labels = dict(PaymentChannel.choices)
    payments = list(payments)
    for p in payments:
        p.channel_label = labels.get(p.channel, p.channel)
    return payments


def queue_top(*, user, today: date, by: str) -> HomeList:
    """The collection queue's first cases by amount owed (its own order) or by age (oldest arrears first)."""
    qs = collection_queue(user=user, today=today)
    see_all = reverse("arrears:collection")
    if by == "age":  # the queue's own "longest in arrears first" order, so "see all" continues the same list
        qs = qs.order_by("arrears_since", "line_id")
        see_all += "?ordering=-days"
    found = _bounded(f"queue_{by}", qs, see_all)
    for account in found.rows:
        _decorate_account(account, today)
    return found


def _decorate_account(account: LineAccount, today: date) -> None:
    account.owed = -account.balance if account.balance < 0 else 0
    account.days_in_arrears = max((today - account.arrears_since).days, 0) if account.arrears_since else None
    account.bucket = age_bucket(account.days_in_arrears) if account.days_in_arrears is not None else ""
    account.barred = account.state in BARRED


def home(*, user, today: date | None = None) -> dict:
    """The day's work of the user's role; each list scoped and bounded. Which lists a role gets follows what it
    may do: a manager or lead works their book, a credit officer decides, collections work the queue."""
    today = today or timezone.localdate()
    role = user_role(user)
    lists = {}
    if role not in PROVINCE_WIDE_ROLES:  # a book: a manager's own, a lead's team, a regional manager's region
        if user.has_perm("customers.view_customer"):
            lists["callbacks"] = book_callbacks(user=user, today=today)
        if user.has_perm("enterprise.view_task"):
            lists["tasks"] = book_tasks(user=user, today=today)
        if user.has_perm("retention.view_retentionalert"):
            lists["alerts"] = book_alerts(user=user)
        if user.has_perm("arrears.view_lineaccount"):
            lists["arrears"] = book_arrears(user=user, today=today)
    if role == Role.MARKETING and user.has_perm("marketing.add_campaign"):
        lists["campaigns"] = own_campaigns(user=user)
    if user.has_perm("marketing.review_campaign"):
        lists["reviews"] = reviews_waiting(user=user)
    if user.has_perm("credit.view_foureyesrequest"):
        lists["four_eyes"] = four_eyes_waiting(user=user)
    if user.has_perm("customers.add_blacklistentry"):
        lists["blacklist"] = blacklist_settlements(today=today)
    if user.has_perm("credit.change_scoringmodel"):
        lists["drift"] = model_drift()
    if user.has_perm("core.change_calendarday"):
        lists["calendar"] = calendar_unconfirmed(today=today)
    if role in (Role.COLLECTIONS, Role.ADMIN) and user.has_perm("arrears.change_collectioncase"):
        lists["queue_amount"] = queue_top(user=user, today=today, by="amount")
        lists["queue_age"] = queue_top(user=user, today=today, by="age")
    notifications = notifications_for(user=user, limit=HOME_ROWS) if user.has_perm("marketing.view_campaign") else []
    return {"home_lists": lists, "notifications": notifications, "today": today, "new_days": NEW_DAYS}


def home_figures(*, user, live: bool = False) -> dict:
    """The home page's "at a glance" figures: last night's facts (workspace.home_facts) for the province or a
    region once a night's are complete (`figures_night` says which), else — and for a manager's or a lead's
    book, or when `live` — counted live. The user's own open callbacks are always live."""
    scope = None if live else aggregate_scope(user)
    night = home_facts.facts_day() if scope is not None else None
    if night is None:
        return {**dashboard_figures(user=user), "figures_night": None}
    callbacks = OnboardingCallback.objects.filter(assigned_to=user, status=CallbackStatus.OPEN).count()
    return {**home_facts.figures(night, scope[1]), "callbacks_due": callbacks, "figures_night": night}


# ---------------------------------------------------------------- the customer 360
def customer_360(*, user, pk) -> dict:
    customer = customer_selectors.customer_get(user=user, pk=pk)
    credit = customer_credit(customer=customer)
    lines = list(
        Line.objects.filter(customer=customer).select_related("plan", "enterprise").prefetch_related(
            Prefetch("status_changes", queryset=LineStatusChange.objects.select_related("changed_by"))
        )
    )
    return {
        "customer": customer,
        "lines": lines,
        "status_history": sorted(
            (c for line in lines for c in line.status_changes.all()), key=lambda c: c.changed_at, reverse=True
        )[:20],
        "usage": customer_selectors.customer_monthly_usage(customer=customer),
        "bills": list(Bill.objects.filter(customer=customer).select_related("line")[:12]),
        "payments": _with_channel_labels(Payment.objects.filter(customer=customer).select_related("line")[:12]),
        # device, contract, services, payment method, care, call quality
        **customer_selectors.customer_inputs(customer=customer),
        "related_contacts": list(customer.related_contacts.all()),
        "callbacks": list(customer.callbacks.select_related("assigned_to")),
        "customer_value": customer_value_latest(customer=customer),
        "credit": credit,
        # usable credit = balance + the limit with the shares (credit.sharing.usable_credit_limit, read once)
        **account_state(customer=customer, lines=lines, usable_limit=customer.credit_limit + credit["shared_credit"]),
        **churn_state(customer=customer),
        "memberships": list(CampaignMember.objects.filter(customer=customer).select_related("campaign")
                            .order_by("-tagged_at")[:20]),
        "enterprises": list({line.enterprise_id: line.enterprise for line in lines if line.enterprise_id}.values()),
    }


def account_state(*, customer: Customer, lines: list[Line], usable_limit=None, today: date | None = None) -> dict:
    """Per line: balance, usable credit, arrears and their age, the collection case (status, promise to pay),
    barring state and exemption; the customer's barring history, emergency passes and exemptions. Usable credit
    is the product's own sum (balance + the credit the customer can use now, shares included: credit.sharing)."""
    today = today or timezone.localdate()
    line_ids = [line.pk for line in lines]
    if usable_limit is None:
        usable_limit = usable_credit_limit(customer)
    accounts = list(LineAccount.objects.filter(pk__in=line_ids).select_related("line__collection_case")
                    .order_by("line_id"))
    for account in accounts:
        _decorate_account(account, today)
        account.usable = account.balance + usable_limit
        account.exempt_now = bool(account.exempt_until and account.exempt_until >= today)
    with_account = [a.pk for a in accounts]
    return {
        "accounts": accounts,
        "usable_limit": usable_limit,
        "total_balance": sum((a.balance for a in accounts), 0),
        "total_owed": sum((a.owed for a in accounts), 0),
        "oldest_arrears_days": max((a.days_in_arrears for a in accounts if a.days_in_arrears is not None),
                                   default=None),
        # barring, passes and exemptions all act on a line's account: none without one (three queries saved)
        "barring_events": list(BarringEvent.objects.filter(line_id__in=with_account).select_related("line", "by")
                               .order_by("-at", "-id")[:20]) if with_account else [],
        "emergency_passes": list(EmergencyPass.objects.filter(line_id__in=with_account)
                                 .select_related("line", "granted_by")[:10]) if with_account else [],
        "exemptions": list(Exemption.objects.filter(line_id__in=with_account)
                           .select_related("line", "granted_by")[:10]) if with_account else [],
    }


def churn_state(*, customer: Customer) -> dict:
    """The latest churn score with the signals that made it, and the customer's alerts with their steps."""
    score = ChurnScore.objects.filter(customer=customer).order_by("-scanned_on").first()
    alerts = list(RetentionAlert.objects.filter(customer=customer).select_related("account_manager")
                  .prefetch_related("events__by").order_by("-opened_at")[:5])
    labels = dict(Signal.choices)
    for alert in alerts:
        alert.allowed = sorted(retention_policies.TRANSITIONS.get(alert.status, ()))
        alert.signal_rows = [(labels.get(code, code), value) for code, value in (alert.signals or {}).items()]
    return {"churn_score": score, "alerts": alerts,
            "churn_signals": [(labels.get(code, code), value)
                              for code, value in (score.signals if score else {}).items()],
            "open_alert": next((a for a in alerts if a.status not in retention_policies.CLOSED_STATUSES), None)}
