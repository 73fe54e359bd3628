"""Pure rules for customer data: no ORM, no request. Unit-testable without a database."""

import calendar
import operator
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.policies import WINDOW_FUTURE, WINDOW_TOO_OLD, date_window_error
from customers.choices import RevealPurpose, ServiceStatus

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
MSISDN_PATTERN = re.compile(r"^1[3-9]\d{9}$")

ERR_ID_LENGTH = _("A resident ID number has exactly 18 characters (got %(length)s).")
ERR_ID_FORMAT = _("A resident ID number is 17 digits followed by a digit or X.")
ERR_ID_BIRTH_DATE = _("The birth date inside the ID number (%(value)s) is not a valid past date.")
ERR_ID_CHECKSUM = _("The ID number's check character should be %(expected)s (GB 11643), not %(got)s.")
ERR_MSISDN = _("A mobile number is 11 digits starting with 1 and then 3–9 (got %(value)s).")

ERR_CUSTOMER_CLOSED = _("The customer is closed: a closed customer cannot get a new line.")
ERR_NUMBERS_PER_PERSON = _("This person already has %(count)s open lines and may hold %(limit)s at their credit "
                           "star (20 from 3 stars up, 5 otherwise).")
ERR_ACTIVATION_TOO_OLD = _("The activation date %(value)s is more than %(days)s days ago; a line is activated today "
                           "(a late entry may go back %(days)s days).")
ERR_ACTIVATION_FUTURE = _("The activation date %(value)s is in the future.")
ERR_JOIN_DATE_NOT_TODAY = _("The join date is the day of onboarding (%(today)s); only a migration import may set "
                            "another one.")
ERR_JOIN_DATE_FUTURE = _("The join date %(value)s is in the future.")
ERR_GOVERNED_FIELD = _("%(field)s is governed: only credit officers and administrators may change it.")
ERR_REVEAL_PURPOSE = _("Choose why you need the full ID number and address.")
ERR_REVEAL_NOTE = _("Say in a few words what the full ID number and address are needed for.")
ERR_REVEAL_NOTE_LENGTH = _("Keep the note to %(max)s characters.")

# Callback to re-confirm identity within this many days of joining (DOMAIN.md §3, source 000).
CALLBACK_DAYS = 3
# Numbers per person by credit star (DOMAIN.md §4 "Services by star", source 004).
NUMBERS_PER_PERSON, NUMBERS_PER_PERSON_RELAXED, RELAXED_NUMBERS_MIN_STAR = 5, 20, 3
# A line is activated today; a counter's late entry may be corrected this many days back. Ahead only by the
# clock skew between billing and us.
ACTIVATION_CORRECTION_DAYS = 3
CLOCK_SKEW = timedelta(minutes=5)
# Fields only the roles that own them may change (DOMAIN.md §3: the VIP tier is governed, not an account
# manager's to set): field -> permission.
GOVERNED_FIELDS = {"vip_tier": "customers.set_vip_tier"}
REVEAL_NOTE_MAX = 200


def id_check_char(first17: str) -> str:
    digits = first17[:len(ID_WEIGHTS)]
    if len(digits) == len(ID_WEIGHTS) and digits.isascii() and digits.isdecimal():
        # GB 11643's weights are 2^(17-i) mod 11 and 13 = 2 (mod 11): the weighted sum is, mod 11, twice the digits
        # read as a base-13 number — one int() in C, not 17 (a bulk checks 10,000 IDs)
        return ID_CHECK_CHARS[2 * int(digits, 13) % 11]
    total = sum(map(operator.mul, map(int, digits), ID_WEIGHTS))
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


def numbers_per_person(star: int | None) -> int:
    """How many open lines one person may hold at this credit star (None: unrated)."""
    return NUMBERS_PER_PERSON_RELAXED if star is not None and star >= RELAXED_NUMBERS_MIN_STAR else NUMBERS_PER_PERSON


def check_numbers_per_person(*, open_lines: int, star: int | None) -> None:
    """Raise if one more line would take the person over their limit."""
    limit = numbers_per_person(star)
    if open_lines >= limit:
        raise ValidationError(ERR_NUMBERS_PER_PERSON, code="numbers_per_person",
                              params={"count": open_lines, "limit": limit})


def check_can_get_line(*, status: str) -> None:
    if status == ServiceStatus.CLOSED:
        raise ValidationError(ERR_CUSTOMER_CLOSED, code="closed")


def check_activation_date(value: date, *, now: datetime) -> None:
    problem = date_window_error(value, now=now, past_days=ACTIVATION_CORRECTION_DAYS, skew=CLOCK_SKEW)
    if problem == WINDOW_TOO_OLD:
        raise ValidationError(ERR_ACTIVATION_TOO_OLD, code=WINDOW_TOO_OLD,
                              params={"value": value.isoformat(), "days": ACTIVATION_CORRECTION_DAYS})
    if problem == WINDOW_FUTURE:
        raise ValidationError(ERR_ACTIVATION_FUTURE, code=WINDOW_FUTURE, params={"value": value.isoformat()})


def check_join_date(value: date, *, today: date, migration: bool) -> None:
    """Onboarding joins today; a migration import keeps the legacy system's (past) date."""
    if value != today and not migration:
        raise ValidationError(ERR_JOIN_DATE_NOT_TODAY, code="not_today", params={"today": today.isoformat()})
    if value > today:
        raise ValidationError(ERR_JOIN_DATE_FUTURE, code="future", params={"value": value.isoformat()})


def refused_governed_fields(changes: dict, current: dict, has_perm: Callable[[str], bool]) -> list[str]:
    """The governed fields that `changes` would change without the permission that owns them."""
    return [name for name, perm in GOVERNED_FIELDS.items()
            if name in changes and changes[name] != current.get(name) and not has_perm(perm)]


def reveal_purpose_errors(purpose: str, note: str) -> dict[str, ValidationError]:
    """A reveal of personal data states why: one of the purposes and a free-text note."""
    errors = {}
    if purpose not in RevealPurpose.values:
        errors["purpose"] = ValidationError(ERR_REVEAL_PURPOSE, code="required")
    note = (note or "").strip()
    if not note:
        errors["purpose_note"] = ValidationError(ERR_REVEAL_NOTE, code="required")
    elif len(note) > REVEAL_NOTE_MAX:
        errors["purpose_note"] = ValidationError(ERR_REVEAL_NOTE_LENGTH, code="max_length",
                                                 params={"max": REVEAL_NOTE_MAX})
    return errors


# --- Inputs from the care system, the CRM front ends and billing (issue 13) ---------------------------------

ERR_TERM_NEEDS_END = _("A %(kind)s contract has an end date.")
ERR_MONTHLY_NO_END = _("A month-to-month contract has no end date.")
ERR_TERM_LENGTH = _("A %(kind)s contract runs %(months)s months (ends on %(expected)s give or take %(slack)s days), "
                    "not until %(value)s.")
ERR_END_BEFORE_START = _("The end (%(end)s) must come after the start (%(start)s).")
ERR_AUTO_PAY_METHOD = _("Auto-pay is taken by bank transfer, bank card or e-wallet, not by %(method)s.")
ERR_REOPEN_NOT_KEPT = _("The number was not kept after this closure (closed by the arrears run, or before billing "
                        "reported closures): a closed line cannot be reactivated.")
ERR_REOPEN_WINDOW = _("The number retention period ended on %(until)s: reactivation is refused after it "
                      "(90 days, 120 for 4★ and 5★ customers); open a new line instead.")

# Months of a fixed-term contract by type, and the slack on its end date (billing cycles shift the day).
CONTRACT_MONTHS = {"one_year": 12, "two_year": 24}
CONTRACT_END_SLACK_DAYS = 31
AUTO_PAY_METHODS = frozenset({"bank_transfer", "card", "e_wallet"})
# Number retention after billing closes a line, by the customer's star at closure (DOMAIN.md §4 "Services by
# star": 4★, 5★ 120 days, others 90). The same table as credit.policies.StarPolicy.retention_days, which
# customers may not import (a test keeps the two equal).
NUMBER_RETENTION_DAYS, NUMBER_RETENTION_DAYS_HIGH, NUMBER_RETENTION_HIGH_MIN_STAR = 90, 120, 4


def number_retention_days(star: int | None) -> int:
    """How long a closed line's number is kept for reactivation, by the customer's star when it closed."""
    return NUMBER_RETENTION_DAYS_HIGH if star is not None and star >= NUMBER_RETENTION_HIGH_MIN_STAR \
        else NUMBER_RETENTION_DAYS


def reopen_refusal(*, reopen_until: date | None, on: date) -> ValidationError | None:
    """A billing reactivation of a closed line: allowed up to the end of its number retention period."""
    if reopen_until is None:
        return ValidationError(ERR_REOPEN_NOT_KEPT, code="number_reclaimed")
    if on > reopen_until:
        return ValidationError(ERR_REOPEN_WINDOW, code="retention_period_over",
                               params={"until": reopen_until.isoformat()})
    return None


def contract_errors(*, kind: str, starts_on: date, ends_on: date | None) -> dict[str, ValidationError]:
    """A contract's term: month-to-month has no end; a 1- or 2-year one ends that many months after its start."""
    if kind == "month_to_month":
        return {"ends_on": ValidationError(ERR_MONTHLY_NO_END, code="no_end")} if ends_on else {}
    if ends_on is None:
        return {"ends_on": ValidationError(ERR_TERM_NEEDS_END, code="required", params={"kind": kind})}
    if ends_on <= starts_on:
        return {"ends_on": ValidationError(ERR_END_BEFORE_START, code="before_start",
                                           params={"end": ends_on, "start": starts_on})}
    months = CONTRACT_MONTHS.get(kind)
    if months is not None:
        expected = months_ago(starts_on, -months)
        if abs((ends_on - expected).days) > CONTRACT_END_SLACK_DAYS:
            return {"ends_on": ValidationError(ERR_TERM_LENGTH, code="term_length", params={
                "kind": kind, "months": months, "expected": expected, "slack": CONTRACT_END_SLACK_DAYS,
                "value": ends_on})}
    return {}


def held_service_errors(*, started_on: date, ended_on: date | None) -> dict[str, ValidationError]:
    if ended_on is not None and ended_on < started_on:
        return {"ended_on": ValidationError(ERR_END_BEFORE_START, code="before_start",
                                            params={"end": ended_on, "start": started_on})}
    return {}


def payment_method_errors(*, method: str, auto_pay: bool) -> dict[str, ValidationError]:
    if auto_pay and method not in AUTO_PAY_METHODS:
        return {"auto_pay": ValidationError(ERR_AUTO_PAY_METHOD, code="auto_pay_method", params={"method": method})}
    return {}
