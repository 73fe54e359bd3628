from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class LegacyClass(models.TextChoices):
    """The subjective classes the province used so far (003 §4.3: kept, but no longer decisive)."""

    A_PLUS = "A+", "A+"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    P = "P", "P"


class SizeBand(models.TextChoices):
    MICRO = "micro", _("Micro (< 10 staff)")
    SMALL = "small", _("Small (10–99)")
    MEDIUM = "medium", _("Medium (100–999)")
    LARGE = "large", _("Large (1000+)")


class ManagerKind(models.TextChoices):
    """002 §5.1: marketing managers develop accounts, service managers serve them."""

    MARKETING = "marketing", _("Marketing manager")
    SERVICE = "service", _("Service manager")


class KeyPersonRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    LIAISON = "liaison", _("Liaison")
    INFLUENCER = "influencer", _("Influencer")


class Product(models.TextChoices):
    GROUP_VPN = "group_vpn", _("Group VPN")
    CONFERENCE = "conference", _("Conference calling")
    GROUP_SMS = "group_sms", _("Group SMS")
    INDUSTRY_APP = "industry_app", _("Industry application")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class InteractionKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    MESSAGE = "message", _("Message")


class OpportunityKind(models.TextChoices):
    """002 §7.1: prospect discovery → development request → development plan."""

    PROSPECT = "prospect", _("Prospect discovery")
    DEVELOPMENT_REQUEST = "development_request", _("Development request")
    DEVELOPMENT_PLAN = "development_plan", _("Development plan")


class OpportunityStage(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    QUALIFIED = "qualified", _("Qualified")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ServiceDayStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    COLLECTED = "collected", _("Collected for channel admins")
    VISITED = "visited", _("Visit logged")
    CANCELLED = "cancelled", _("Cancelled")


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")


class Segment(models.TextChoices):
    """002 §6.4 target segments."""

    DEVELOP = "develop", _("Develop")
    MAINTAIN = "maintain", _("Maintain")
    RETAIN = "retain", _("Retain")
    UPGRADE = "upgrade", _("Upgrade")
    PREVENT = "prevent", _("Prevent")


class Signal(models.TextChoices):
    """002 §6.4.x: one code per named signal."""

    COMPETITOR_CUSTOMERS = "competitor_customers", _("Competitors' customers")
    HIGH_VALUE = "high_value", _("High value")
    STABLE = "stable", _("Stable")
    RETURNING_RISING = "returning_rising", _("Returning users rising")
    AGREEMENT_EXPIRING = "agreement_expiring", _("Agreement expiring")
    MEMBERS_LEAVING = "members_leaving", _("Members leaving")
    CANCELLATIONS_RISING = "cancellations_rising", _("Business cancellations rising")
    SPEND_FALLING = "spend_falling", _("Spend falling several months")
    COMPETITOR_HOTLINE_RISING = "competitor_hotline_rising", _("Calls to competitor service rising")
    PERSONALISED_RISING = "personalised_rising", _("Personalised needs rising")
    HEADCOUNT_RISING = "headcount_rising", _("Headcount rising")
    SPEND_ANOMALY = "spend_anomaly", _("Spend anomaly")
    HEADCOUNT_JUMP = "headcount_jump", _("Headcount jump")
    DATA_ANOMALY = "data_anomaly", _("Data anomalies")
    FREQUENT_CHANGES = "frequent_changes", _("Frequent business changes")
    COMPLAINTS_RISING = "complaints_rising", _("Complaints rising")
    FREQUENT_ARREARS = "frequent_arrears", _("Frequent arrears")


class Direction(models.TextChoices):
    AT_LEAST = "gte", _("fires at or above the threshold")
    AT_MOST = "lte", _("fires at or below the threshold")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", pgettext_lazy("alert", "Closed")
