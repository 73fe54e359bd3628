from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Region, TimeStampedModel


class LegacyClass(models.TextChoices):
    A_PLUS = "A+", "A+"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    P = "P", "P"


class EnterpriseAccount(TimeStampedModel):
    """A group customer; its member lines point here. The enterprise issue extends this model."""

    name = models.CharField(_("name"), max_length=100)
    industry = models.CharField(_("industry"), max_length=50)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    legacy_class = models.CharField(_("legacy class"), max_length=2, choices=LegacyClass.choices, default=LegacyClass.C)
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="enterprise_accounts", verbose_name=_("account manager"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise account")
        verbose_name_plural = _("enterprise accounts")

    def __str__(self):
        return self.name
