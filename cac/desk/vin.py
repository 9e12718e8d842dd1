"""VIN validation (ISO 3779; China's GB 16735 and North America use the check digit in position 9)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# World manufacturer identifiers whose region mandates the check digit: China (L) and North America (1-5).
_CHECK_DIGIT_REGIONS = ("L", "1", "2", "3", "4", "5")


def vin_check_digit(vin: str) -> str:
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_vin(raw: str) -> str:
    """Return the VIN upper-cased without spaces, or raise ValidationError saying what is wrong."""
    vin = re.sub(r"[\s-]", "", raw or "").upper()
    if len(vin) != 17:
        raise ValidationError(
            _("A VIN has 17 characters; this one has %(count)d."), code="vin_length", params={"count": len(vin)}
        )
    if not _VIN.fullmatch(vin):
        raise ValidationError(
            _("A VIN uses only digits and the letters A–Z without I, O and Q."), code="vin_characters"
        )
    if vin.startswith(_CHECK_DIGIT_REGIONS) and vin[8] != vin_check_digit(vin):
        raise ValidationError(
            _("The check digit (9th character) does not match this VIN; please check it against the vehicle licence."),
            code="vin_check_digit",
        )
    return vin
