from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    TEAM_LEAD = "team_lead", _("Team lead")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    CREDIT_OFFICER = "credit_officer", _("Credit officer")
    MARKETING = "marketing", _("Marketing")
    COLLECTIONS = "collections", _("Collections")
    ADMIN = "admin", _("Administrator")
    BILLING_SERVICE = "billing_service", _("Billing service account")


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
