"""Writes of the enterprise capability; each is atomic and records who did it and when."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.choices import Role
from core.models import Region
from core.roles import user_role
from core.scope import customer_scope_q
from core.selectors import working_calendar
from enterprise import account_data, policies
from enterprise.choices import OPEN_TASK_STATUSES, AlertStatus, ManagerKind, ReportKind, ServiceDayStatus, TaskStatus
from enterprise.models import (
    AssignmentChange,
    ClassPolicy,
    EnterpriseAccount,
    EnterpriseAlert,
    Interaction,
    Opportunity,
    ServiceDayCollection,
    ServiceDayOrder,
    ServiceDayReport,
    Task,
)

MANAGER_ROLES = {Role.ACCOUNT_MANAGER, Role.TEAM_LEAD}
REASON_REQUIRED = gettext_lazy("A reason is required.")
SAME_MANAGER = gettext_lazy("The account already has this manager.")
NOT_A_MANAGER = gettext_lazy("Only account managers and team leads can be assigned.")
OUTCOME_REQUIRED = gettext_lazy("A finished task needs its outcome.")
ASSIGNEE_OUT_OF_SCOPE = gettext_lazy("Choose someone who sees this account: its manager or their team lead.")
ACCOUNT_OUT_OF_SCOPE = gettext_lazy("You can only assign tasks on accounts in your own scope.")
# translated where raised (they take the day's names)
NOT_COLLECTION_DAY = gettext_noop("Orders are collected on Tuesdays and Thursdays (after a holiday, on the "
                                  "next working day).")
DUE_NOT_WORKING = gettext_noop("%(date)s is not a working day (%(name)s): choose a working day, e.g. %(next)s.")


# ---------------------------------------------------------------- assignment


@transaction.atomic
def account_reassign(*, account: EnterpriseAccount, to_manager, by, reason: str,
                     kind: str = ManagerKind.MARKETING, now: datetime | None = None) -> AssignmentChange:
    """Give the account (marketing or service side) to another manager.

    Only the manager fields change: tasks, interactions, service days and history stay on the account, so the
    new manager sees them all; the old manager's past work keeps their name. Open tasks of the old manager move
    to the new one (the task history records the previous assignee). One AssignmentChange row says from, to,
    by, when and why.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    if to_manager is not None and user_role(to_manager) not in MANAGER_ROLES:
        raise ValidationError({"to_manager": NOT_A_MANAGER})
    account = EnterpriseAccount.objects.select_for_update().get(pk=account.pk)
    field = "account_manager" if kind == ManagerKind.MARKETING else "service_manager"
    previous_id = getattr(account, f"{field}_id")
    if previous_id == (to_manager.pk if to_manager else None):
        raise ValidationError({"to_manager": SAME_MANAGER})
    moved = 0
    if previous_id and to_manager:
        for task in Task.objects.filter(account=account, assigned_to_id=previous_id, status__in=OPEN_TASK_STATUSES):
            task.assigned_to = to_manager
            task._change_reason = f"reassigned: {reason}"[:100]
            task.save(update_fields=["assigned_to", "updated_at"])
            moved += 1
    setattr(account, field, to_manager)
    account._change_reason = f"reassigned: {reason}"[:100]
    account.save(update_fields=[field, "updated_at"])
    if field == "account_manager":  # open alerts follow the account to its new manager
        EnterpriseAlert.objects.filter(account=account, status=AlertStatus.OPEN).update(account_manager=to_manager)
    return AssignmentChange.objects.create(account=account, kind=kind, from_manager_id=previous_id,
                                           to_manager=to_manager, by=by, at=now or timezone.now(), reason=reason,
                                           open_tasks_moved=moved)


# ---------------------------------------------------------------- tasks and interactions


@transaction.atomic
def task_create(*, account: EnterpriseAccount, title: str, due_date: date, assigned_by, assigned_to=None,
                priority: int = 2, description: str = "") -> Task:
    """A task on an account, for someone whose scope includes the account (so that they can see it), given by
    someone whose scope includes it too. Default assignee: the account's manager."""
    _check_due_date(due_date)
    task = Task(account=account, title=title, due_date=due_date, priority=priority, description=description,
                assigned_by=assigned_by, assigned_to=assigned_to or account.account_manager)
    if task.assigned_to is None:
        raise ValidationError({"assigned_to": _("The account has no manager: choose who does the task.")})
    if not _sees(assigned_by, account):
        raise ValidationError({"account": ValidationError(ACCOUNT_OUT_OF_SCOPE, code="out_of_scope")})
    if user_role(task.assigned_to) not in MANAGER_ROLES:
        raise ValidationError({"assigned_to": ValidationError(NOT_A_MANAGER, code="not_a_manager")})
    if not _sees(task.assigned_to, account):
        raise ValidationError({"assigned_to": ValidationError(ASSIGNEE_OUT_OF_SCOPE, code="out_of_scope")})
    task.full_clean()
    task.save()
    return task


def _sees(user, account: EnterpriseAccount) -> bool:
    return EnterpriseAccount.objects.filter(customer_scope_q(user), pk=account.pk).exists()


def _check_due_date(due_date: date) -> None:
    calendar = working_calendar()
    suggestion = policies.due_date_on_working_day(due_date, calendar=calendar)
    if suggestion is not None:
        raise ValidationError({"due_date": ValidationError(_(DUE_NOT_WORKING) % {
            "date": due_date, "name": calendar.name(due_date) or _("weekend"), "next": suggestion},
            code="not_working_day")})


@transaction.atomic
def task_update(*, task: Task, by, status: str, outcome: str = "", now: datetime | None = None) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if status == TaskStatus.DONE and not outcome.strip():
        raise ValidationError({"outcome": OUTCOME_REQUIRED})
    task.status, task.outcome = status, outcome.strip() or task.outcome
    if status in (TaskStatus.DONE, TaskStatus.CANCELLED):
        task.completed_at, task.completed_by = now or timezone.now(), by
    else:
        task.completed_at = task.completed_by = None
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def interaction_log(*, account: EnterpriseAccount, by, kind: str, summary: str, at: datetime | None = None,
                    next_step: str = "", service_day: ServiceDayOrder | None = None,
                    task: Task | None = None) -> Interaction:
    """Log a visit, call or message. A visit naming a service day is that day's visit log (003: within 3
    working days after the service day, else the order shows overdue)."""
    at = at or timezone.now()
    if service_day is not None and service_day.account_id != account.pk:
        raise ValidationError({"service_day": _("That service day is for another group.")})
    if service_day is not None and kind != "visit":
        raise ValidationError({"service_day": _("Only a visit can log a service day.")})
    interaction = Interaction(account=account, by=by, kind=kind, at=at, summary=summary, next_step=next_step,
                              service_day=service_day, task=task)
    interaction.full_clean()
    interaction.save()
    if service_day is not None:
        order = ServiceDayOrder.objects.select_for_update().get(pk=service_day.pk)
        logged_on = timezone.localtime(at).date()
        if logged_on < order.service_date:
            raise ValidationError({"service_day": _("The service day has not happened yet.")})
        if order.visit_logged_on is None:
            order.visit_logged_on, order.status = logged_on, ServiceDayStatus.VISITED
            order.save(update_fields=["visit_logged_on", "status", "updated_at"])
    return interaction


# ---------------------------------------------------------------- on-site service days (003)


def _schedule_message(scheduled: policies.ScheduledDate, calendar) -> str:
    if not scheduled.moved:
        return ""
    values = {"requested": scheduled.requested, "scheduled": scheduled.scheduled,
              "name": calendar.name(scheduled.requested) or _("weekend")}
    if scheduled.reason == policies.AFTER_25TH:
        return _("No service day is scheduled after the 25th: %(requested)s moved to %(scheduled)s, the first "
                 "working day of the next month.") % values
    return _("%(requested)s is not a working day (%(name)s): the service day moved to %(scheduled)s.") % values


@transaction.atomic
def service_day_submit(*, account: EnterpriseAccount, requested_date: date, policy: str, materials: str, by,
                       now: datetime | None = None) -> tuple[ServiceDayOrder, str]:
    """Submit an order; returns it and the message telling the user when the date moved."""
    now = now or timezone.now()
    if requested_date < timezone.localtime(now).date():
        raise ValidationError({"requested_date": _("The service day cannot be in the past.")})
    calendar = working_calendar()
    scheduled = policies.schedule_service_day(requested_date, calendar=calendar)
    order = ServiceDayOrder(account=account, requested_date=requested_date, service_date=scheduled.scheduled,
                            policy=policy, materials=materials, submitted_by=by, submitted_at=now,
                            visit_deadline=policies.visit_log_deadline(scheduled.scheduled, calendar=calendar))
    order.full_clean()
    order.save()
    return order, _schedule_message(scheduled, calendar)


@transaction.atomic
def service_days_collect(*, today: date, by=None, now: datetime | None = None) -> ServiceDayCollection:
    """The Tuesday/Thursday collection: every order submitted since the previous collection, and no other.

    Apply-once per day: a second call the same day returns that day's collection unchanged.
    """
    if not policies.is_collection_day(today, calendar=working_calendar()):
        raise ValidationError({"today": _(NOT_COLLECTION_DAY)})
    now = now or timezone.now()
    existing = ServiceDayCollection.objects.filter(collected_on=today).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            collection = ServiceDayCollection.objects.create(collected_at=now, collected_on=today, by=by)
    except IntegrityError:  # a concurrent collection of the same day won
        return ServiceDayCollection.objects.get(collected_on=today)
    count = (ServiceDayOrder.objects.select_for_update()
             .filter(collection__isnull=True, submitted_at__lte=now, status=ServiceDayStatus.SUBMITTED)
             .update(collection=collection, status=ServiceDayStatus.COLLECTED, updated_at=now))
    collection.order_count = count
    collection.save(update_fields=["order_count"])
    return collection


@transaction.atomic
def service_day_reports_ensure(*, today: date) -> int:
    """Weekly and monthly report records for each region with service days: last week's and last month's."""
    calendar = working_calendar()
    week_start, _ = policies.weekly_report_period(today)
    last_week = policies.weekly_report_period(week_start - timedelta(days=1))
    month_end = today.replace(day=1) - timedelta(days=1)
    last_month = (month_end.replace(day=1), month_end)
    periods = [(ReportKind.WEEKLY, last_week, policies.weekly_report_due(last_week[0], calendar=calendar)),
               (ReportKind.MONTHLY, last_month, policies.monthly_report_due(last_month[0], calendar=calendar))]
    created = 0
    region_ids = Region.objects.filter(
        pk__in=ServiceDayOrder.objects.values("account__region_id")).values_list("pk", flat=True)
    for region_id in region_ids:
        for kind, (start, end), due in periods:
            served = (ServiceDayOrder.objects.filter(account__region_id=region_id, service_date__gte=start,
                                                     service_date__lte=end)
                      .exclude(status=ServiceDayStatus.CANCELLED).values("account").distinct().count())
            _, new = ServiceDayReport.objects.get_or_create(
                kind=kind, region_id=region_id, period_start=start,
                defaults={"period_end": end, "due_date": due, "groups_served": served})
            created += new
    return created


@transaction.atomic
def working_day_deadlines_refresh(**_signal) -> int:
    """After an admin changes the working-day calendar: the visit-log deadlines of the orders not yet logged
    and the due dates of the reports not yet submitted follow it (connected to CalendarDay's save and delete).
    Service dates already given to the groups stay as they are. Returns how many rows changed."""
    calendar = working_calendar()
    orders = []
    for order in ServiceDayOrder.objects.filter(visit_logged_on__isnull=True).exclude(
            status=ServiceDayStatus.CANCELLED).only("service_date", "visit_deadline"):
        deadline = policies.visit_log_deadline(order.service_date, calendar=calendar)
        if deadline != order.visit_deadline:
            order.visit_deadline = deadline
            orders.append(order)
    ServiceDayOrder.objects.bulk_update(orders, ["visit_deadline"])
    due = {ReportKind.WEEKLY: policies.weekly_report_due, ReportKind.MONTHLY: policies.monthly_report_due}
    reports = []
    for report in ServiceDayReport.objects.filter(submitted_on__isnull=True).only("kind", "period_start",
                                                                                   "due_date"):
        due_date = due[report.kind](report.period_start, calendar=calendar)
        if due_date != report.due_date:
            report.due_date = due_date
            reports.append(report)
    ServiceDayReport.objects.bulk_update(reports, ["due_date"])
    return len(orders) + len(reports)


@transaction.atomic
def service_day_report_submit(*, report: ServiceDayReport, by, summary: str, today: date) -> ServiceDayReport:
    report = ServiceDayReport.objects.select_for_update().get(pk=report.pk)
    if report.submitted_on:
        raise ValidationError({"summary": _("This report was already submitted.")})
    if not summary.strip():
        raise ValidationError({"summary": _("The report needs its summary.")})
    report.summary, report.submitted_on, report.submitted_by = summary.strip(), today, by
    report.save()
    return report


# ---------------------------------------------------------------- class policy and alerts


@transaction.atomic
def class_policy_publish(*, weights: dict, full_at: dict, cutoffs: list, by, note: str) -> ClassPolicy:
    """A new class policy version, active from now; the previous version is kept (inactive)."""
    errors = policies.validate_class_policy({"weights": weights, "full_at": full_at, "cutoffs": cutoffs})
    if errors:
        raise ValidationError({"weights": errors})
    last = ClassPolicy.objects.select_for_update().order_by("-version").first()
    ClassPolicy.objects.filter(active=True).update(active=False)
    return ClassPolicy.objects.create(version=(last.version + 1) if last else 1, weights=weights, full_at=full_at,
                                      cutoffs=cutoffs, active=True, note=note, created_by=by)


@transaction.atomic
def alert_close(*, alert: EnterpriseAlert, by, now: datetime | None = None) -> EnterpriseAlert:
    alert = EnterpriseAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.OPEN:
        alert.status, alert.closed_at, alert.closed_by = AlertStatus.CLOSED, now or timezone.now(), by
        alert.save()
    return alert


# ---------------------------------------------------------------- opportunities (002 §7.1)

FINAL_STAGES = ("won", "lost")
PROSPECT_NEEDS_NAME = gettext_lazy("A prospect needs its name (or choose an account).")


@transaction.atomic
def opportunity_create(*, by, kind: str, title: str, account: EnterpriseAccount | None = None,
                       prospect_name: str = "", region=None, plan: str = "", expected_revenue=None,
                       expected_close: date | None = None):
    if account is None and not prospect_name.strip():
        raise ValidationError({"prospect_name": PROSPECT_NEEDS_NAME})
    if account is None and region is None:
        profile = getattr(by, "staff_profile", None)
        region = profile.region if profile and profile.region_id else (
            profile.team.region if profile and profile.team_id else None)
        if region is None:
            raise ValidationError({"prospect_name": _("Choose an account: you have no region for a prospect.")})
    opportunity = Opportunity(account=account, prospect_name="" if account else prospect_name.strip(),
                              region=account.region if account else region, kind=kind, title=title, plan=plan,
                              expected_revenue=expected_revenue or 0, expected_close=expected_close,
                              account_manager=account.account_manager if account and account.account_manager
                              else by)
    opportunity.full_clean()
    opportunity.save()
    return opportunity


@transaction.atomic
def opportunity_move(*, opportunity, by, stage: str, note: str = ""):
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.stage in FINAL_STAGES:
        raise ValidationError({"stage": _("A won or lost opportunity is closed.")})
    role, approved = user_role(by), opportunity.approved_by_id is not None
    refusal = policies.opportunity_move_refusal(kind=opportunity.kind, approved=approved, stage=stage, role=role)
    if refusal:
        raise ValidationError({"stage": ValidationError(_(refusal), code="needs_approval")})
    if policies.approves(kind=opportunity.kind, approved=approved, stage=stage, role=role):
        opportunity.approved_by, opportunity.approved_at = by, timezone.now()
    opportunity.stage = stage
    opportunity._change_reason = note[:100] or f"stage → {stage} by {by}"[:100]
    opportunity._history_user = by
    if stage == "won" and opportunity.account_id is None:  # a won prospect becomes an enterprise account
        opportunity.account = _account_from_prospect(opportunity, by)
    opportunity.full_clean()
    opportunity.save()
    return opportunity


def _account_from_prospect(opportunity, by) -> EnterpriseAccount:
    """The won prospect's account, in its manager's book; the opportunity (and its history) now hangs on it."""
    manager = opportunity.account_manager if opportunity.account_manager_id and user_role(
        opportunity.account_manager) in MANAGER_ROLES else None
    account = account_data.account_create(by=by, account_manager=manager or by, name=opportunity.prospect_name,
                                          industry=_("to be completed"), region=opportunity.region,
                                          customer_since=timezone.localdate())
    return account
