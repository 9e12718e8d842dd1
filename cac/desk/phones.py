"""The one phone normaliser: every phone number the CAC stores or looks up passes through here.

China mobile numbers are stored as their 11 national digits (`13800138000`), whatever spelling
was typed or pasted: `138 0013 8000`, `+86 138-0013-8000`, `0086 13800138000`, `(86)13800138000`.
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_NOT_DIGITS = re.compile(r"[^0-9+]")
_COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086|86(?=1\d{10}$))")
_FOREIGN_PREFIX = re.compile(r"^(?:\+|00)(?!86)")


def _compact(raw: str) -> str:
    # Chinese input methods type full-width digits and signs (１３８, ＋８６): NFKC folds them to ASCII.
    # Other scripts' digits are dropped rather than stored: the CAC stores ASCII digits only.
    return _NOT_DIGITS.sub("", unicodedata.normalize("NFKC", raw or ""))


def _is_foreign(raw: str) -> bool:
    """An international prefix other than China's: not a number the CAC can store."""
    return bool(_FOREIGN_PREFIX.match(_compact(raw)))


def phone_digits(raw: str) -> str:
    """The national digits of a (possibly partial) number: separators and the +86 prefix removed."""
    compact = _COUNTRY_PREFIX.sub("", _compact(raw))
    return compact.replace("+", "")


def normalize_mobile(raw: str) -> str:
    """Return the 11-digit form of a China mobile number, or raise ValidationError."""
    digits = phone_digits(raw)
    if _is_foreign(raw) or not re.fullmatch(r"1\d{10}", digits):
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
    if digits.startswith("1") and len(digits) == 11 and not _is_foreign(raw):
        return normalize_mobile(digits)
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    if (
        _is_foreign(raw)
        or parsed is None
        or parsed.country_code != 86  # "00 1 650 ..." dialled through the international prefix
        or not phonenumbers.is_valid_number(parsed)
    ):
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
