"""Formatting for pages: one date format, money with ¥ and thousands separators, codes as labels.

Hand-written (a dozen lines each) rather than django.contrib.humanize: `intcomma` follows the active locale's
separators and drops the two decimals money needs; these read the same in Chinese and English.
"""

from datetime import date, datetime
from importlib import import_module
from decimal import Decimal, InvalidOperation

from django import template
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _, gettext_noop

from core.masking import mask_address, mask_id_number

register = template.Library()
register.filter("mask_id", mask_id_number)
register.filter("mask_address", mask_address)

DATE_FORMAT, DATETIME_FORMAT = "%Y-%m-%d", "%Y-%m-%d %H:%M"

# Batch kinds (core.batches.REGISTRY names) as staff read them on the batch list
BATCH_KIND_LABELS = {
    "arrears.evaluate": _("Nightly arrears evaluation"),
    "arrears.report_facts": _("Arrears report figures"),
    "arrears.customer_value": _("Customer value"),
    "arrears.customer_value_decile": _("Customer value deciles"),
    "credit.base": _("Monthly base rating"),
    "credit.guidance": _("Half-yearly guidance rating"),
    "credit.report_facts": _("Credit report figures"),
    "customers.refresh_spend": _("Average spend refresh"),
    "customers.status": _("Customer status refresh"),
    "enterprise.segment": _("Enterprise segmentation"),
    "enterprise.snapshot": _("Enterprise monthly snapshot"),
    "marketing.refresh_usage_facts": _("Usage figures for segments"),
    "marketing.results_facts": _("Campaign results figures"),
    "retention.scan": _("Churn risk scan"),
    "retention.verify": _("Retention verification"),
    "workspace.home_facts": _("Home page figures"),
}


def _decimal(value):
    """A value as Decimal; None for empty, the text itself when it is not a number (shown as is)."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return str(value)


@register.filter
def money(value, places: int = 2) -> str:
    """¥1,234.50 (negative: -¥1,234.50); empty for None."""
    amount = _decimal(value)
    if not isinstance(amount, Decimal):
        return amount or ""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.{int(places)}f}"


@register.filter
def num(value) -> str:
    """1,234 (integers) or 1,234.5 as given; empty for None."""
    amount = _decimal(value)
    return f"{amount:,}" if isinstance(amount, Decimal) else (amount or "")


@register.filter
def day(value) -> str:
    """2026-12-07 in every language."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime(DATE_FORMAT)
    return value.strftime(DATE_FORMAT) if isinstance(value, date) else ("" if value is None else str(value))


@register.filter
def when(value) -> str:
    """2026-12-07 14:30 (local time) in every language."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime(DATETIME_FORMAT)
    return day(value)


@register.filter
def batch_kind(value) -> str:
    return str(BATCH_KIND_LABELS.get(value, value))


@register.filter
def label(value, choices: str) -> str:
    """A code as its label: `{{ code|label:"retention.Signal" }}` reads the TextChoices `Signal` of the app
    `retention` (its choices module), so a template shows every code as staff read it; an unknown code as is."""
    app_label, _dot, name = choices.partition(".")
    try:
        enum = getattr(import_module(f"{apps.get_app_config(app_label).name}.choices"), name)
    except (LookupError, ImportError, AttributeError):
        return "" if value is None else str(value)
    return str(dict(enum.choices).get(value, value)) if value not in (None, "") else ""


@register.filter
def person(user) -> str:
    """A user by display name (staff profile, else full name), never the login name unless nothing else."""
    if not user or not getattr(user, "pk", None):
        return ""
    # the profile only when already loaded (select_related): a list of 50 rows must not cost 50 queries
    profile = user._state.fields_cache.get("staff_profile") if hasattr(user, "_state") else None
    return getattr(profile, "display_name", "") or user.get_full_name() or user.username


@register.filter
def translated(value) -> str:
    """Text a job stored in English from a fixed set (a scan's note "nightly scan") in the reader's language; any
    other text as typed."""
    return gettext(value) if value else ""


# Texts the product stores in English from a fixed set (seeded model names and notes, a batch's reason): marked here
# so the catalogue carries them and `translated` shows them in the reader's language.
STORED_TEXTS = (
    gettext_noop("base model"),
    gettext_noop("DOMAIN.md §5 defaults"),  # the shipped barring policy's note (arrears migration 0003)
    gettext_noop("Default base model"),
    gettext_noop("Default base model + customer value"),
    gettext_noop("Shipped default (credit/default_model.py)"),
    gettext_noop("Version 1 plus the customer value decile (data migration credit 0016, credit/default_model.py "
                 "VALUE_DECILE_FACTOR)"),
)


@register.filter
def brand_name(code) -> str:
    """A brand code (a scoring factor's value or bin) as the brand's name."""
    if not code:
        return ""
    name = apps.get_model("customers", "Brand").objects.filter(code=code).values_list("name", flat=True).first()
    return name or str(code)
