"""Masking of personal data for lists and for roles that do not need the full value."""


def mask_id_number(value: str) -> str:
    """4301**********1234: keep the 4-digit area prefix and the last 4 characters."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_address(value: str) -> str:
    """Keep the first 6 characters (city/district), hide the rest."""
    if not value:
        return ""
    return value[:6] + "****"


def mask_msisdn(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else value


def mask_phone(value: str) -> str:
    """Any phone number (mobile, landline with area code): the first 3 and last 4 digits, the rest hidden;
    a short one entirely hidden."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
