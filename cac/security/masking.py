"""The one rule for masking phone numbers: `138****8000`. Pure text, no models: the web server's access log
(cac/security/log_privacy.py, loaded by gunicorn before Django) uses it as well as the pages."""

import re

# How numbers are written in texts: a mobile of 11 digits (`13800138000`, `138 0013 8000`, `+86 138-0013-8000`), a
# fixed line with its area code (`020-38881234`, `0755 88888888`); in these groups only, so that digits beside a
# number (`王001 138 0013 8000`) are not taken for a part of it. Not inside a longer run of digits, nor after a
# hyphen (`TS-202603-0001`, `2026-03-01`), nor already masked.
_BEFORE, _AFTER = r"(?<![\d*\-])", r"(?![\d*])"
_PREFIX = r"(?:(?:\+86|0086|86)[ -]?)?"
_NUMBER = re.compile(_BEFORE + _PREFIX + r"(?:1\d{2}[ -]?\d{4}[ -]?\d{4}|0\d{2,3}[ -]?\d{7,8})" + _AFTER)
# With `partial`: the beginning of a number, typed into the phone box one digit at a time.
_BEGINNING = re.compile(_BEFORE + _PREFIX + r"[01](?:[ -]?\d){3,}" + _AFTER)
WHOLE_NUMBER_DIGITS = 10  # from a small city's fixed line (0xxx + 6) to a mobile (11) or 0755 + 8 (12)
KEEP_HEAD, KEEP_TAIL = 3, 4


def _mask_digits(digits: str, *, partial: bool) -> str | None:
    # A number being typed keeps its tail only once it has all 11 digits: `1380013800` shown as `138***3800` and then
    # `13800138000` as `138****8000` would give away one more digit than either.
    if len(digits) >= (WHOLE_NUMBER_DIGITS + 1 if partial else WHOLE_NUMBER_DIGITS):
        return digits[:KEEP_HEAD] + "*" * (len(digits) - KEEP_HEAD - KEEP_TAIL) + digits[-KEEP_TAIL:]
    if partial and len(digits) > KEEP_HEAD:
        return digits[:KEEP_HEAD] + "*" * (len(digits) - KEEP_HEAD)
    return None


def mask_phones(text: str, *, partial: bool = False) -> str:
    """`text` with every whole phone number in it masked to its first 3 and last 4 digits: `138****8000`.

    A stored number (`13800138000`) is a text of one number. With `partial`, for a text that is what was typed into
    the phone box, the beginning of a number (4 digits and more starting with 0 or 1) keeps its first 3 digits only:
    what a request log does with the phone box's queries typed one digit at a time, so that no two lines together
    give a number away."""
    if not text:
        return text

    def replace(match: re.Match) -> str:
        written = match.group(0)
        digits = re.sub(r"\D", "", re.sub(r"^(?:\+86|0086|86(?=[ -]?1))", "", written))
        masked = _mask_digits(digits, partial=partial)
        return written if masked is None else masked

    return (_BEGINNING if partial else _NUMBER).sub(replace, str(text))
