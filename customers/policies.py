"""Pure rules for customer data: no ORM, no request. Unit-testable without a database."""

import calendar
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
MSISDN_PATTERN = re.compile(r"^1[3-9]\d{9}$")

ERR_ID_LENGTH = _("A resident ID number has exactly 18 characters (got %(length)s).")
ERR_ID_FORMAT = _("A resident ID number is 17 digits followed by a digit or X.")
ERR_ID_BIRTH_DATE = _("The birth date inside the ID number (%(value)s) is not a valid past date.")
ERR_ID_CHECKSUM = _("The ID number's check character should be %(expected)s (GB 11643), not %(got)s.")
ERR_MSISDN = _("A mobile number is 11 digits starting with 1 and then 3–9 (got %(value)s).")

# Callback to re-confirm identity within this many days of joining (DOMAIN.md §3, source 000).
CALLBACK_DAYS = 3


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=False))
    return ID_CHECK_CHARS[total % 11]


def birth_date_from_id(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_resident_id(value: str, *, today: date | None = None) -> str:
    """Return the normalised ID (upper-case X) or raise ValidationError with a code and clear message."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(ERR_ID_LENGTH, code="length", params={"length": len(value)})
    if not ID_PATTERN.match(value):
        raise ValidationError(ERR_ID_FORMAT, code="format")
    born = birth_date_from_id(value)
    today = today or date.today()
    if born is None or born > today or born.year < 1900:
        raise ValidationError(ERR_ID_BIRTH_DATE, code="birth_date", params={"value": value[6:14]})
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(ERR_ID_CHECKSUM, code="checksum", params={"expected": expected, "got": value[17]})
    return value


def validate_msisdn(value: str) -> str:
    value = (value or "").strip()
    if not MSISDN_PATTERN.match(value):
        raise ValidationError(ERR_MSISDN, code="msisdn", params={"value": value})
    return value


def tenure_months(join_date: date, today: date) -> int:
    months = (today.year - join_date.year) * 12 + today.month - join_date.month
    return max(0, months - (1 if today.day < join_date.day else 0))


def months_ago(today: date, months: int) -> date:
    """The same day `months` months before `today`, clamped to that month's end."""
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(y, m + 1, min(today.day, calendar.monthrange(y, m + 1)[1]))


def data_completeness(*, has_address: bool, has_occupation: bool, has_workplace: bool, related_contacts: int) -> int:
    """0–100: more complete onboarding data raises initial credit factors (source 000)."""
    score = 40  # verified ID and number are mandatory
    score += 15 if has_address else 0
    score += 15 if has_occupation else 0
    score += 15 if has_workplace else 0
    score += min(related_contacts, 3) * 5
    return score
