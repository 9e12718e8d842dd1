"""The one phone normaliser: every phone number the CAC stores or looks up passes through here.

China mobile numbers are stored as their 11 national digits (`13800138000`), whatever spelling
was typed or pasted: `138 0013 8000`, `+86 138-0013-8000`, `0086 13800138000`, `(86)13800138000`.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_NOT_DIGITS = re.compile(r"[^\d+]")
_COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086|86(?=1\d{10}$))")


def phone_digits(raw: str) -> str:
    """The national digits of a (possibly partial) number: separators and the +86 prefix removed."""
    compact = _NOT_DIGITS.sub("", raw or "")
    compact = _COUNTRY_PREFIX.sub("", compact)
    return compact.replace("+", "")


def normalize_mobile(raw: str) -> str:
    """Return the 11-digit form of a China mobile number, or raise ValidationError."""
    digits = phone_digits(raw)
    if not re.fullmatch(r"1\d{10}", digits):
        raise ValidationError(
            _("Enter a China mobile number of 11 digits, for example 138 0013 8000."), code="invalid_mobile"
        )
    parsed = phonenumbers.parse(digits, "CN")
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("%(number)s is not a valid China mobile number."), code="invalid_mobile", params={"number": digits}
        )
    return digits


def normalize_phone(raw: str) -> str:
    """Return a stored form of any China phone number (mobile or fixed line with area code)."""
    digits = phone_digits(raw)
    if digits.startswith("1") and len(digits) == 11:
        return normalize_mobile(digits)
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("Enter a valid phone number: an 11-digit mobile or a fixed line with its area code."),
            code="invalid_phone",
        )
    if digits.startswith(("400", "800")):
        return digits  # national service numbers have no area code
    return "0" + str(parsed.national_number)


def format_mobile(digits: str) -> str:
    """Display form `138 0013 8000`; other numbers are shown as stored."""
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return digits
