"""The one rule for masking phone numbers: `138****8000`. Pure text, no models: the web server's access log
(cac/log_privacy.py, loaded by gunicorn before Django) uses it as well as the pages."""

import re

# A run of digits, single spaces or hyphens between them, with an optional +86 / 0086 in front: how numbers are
# written in texts (`138 0013 8000`, `+86 138-0013-8000`, `020-38881234`).
_NUMBER = re.compile(r"(?<![\d*])(?:(?:\+|00)86[ -]?)?\d(?:[ -]?\d)*(?![\d*])")
WHOLE_NUMBER_DIGITS = 11  # a mobile, or a fixed line with its area code (020 + 8 digits, 0xxx + 7)
KEEP_HEAD, KEEP_TAIL = 3, 4


def _mask_digits(digits: str, *, partial: bool) -> str | None:
    if len(digits) >= WHOLE_NUMBER_DIGITS:
        return digits[:KEEP_HEAD] + "*" * (len(digits) - KEEP_HEAD - KEEP_TAIL) + digits[-KEEP_TAIL:]
    if partial and len(digits) > KEEP_HEAD and digits[0] in "01":
        # A number being typed (`1380013800`): its tail is the part that identifies, so only the head is kept.
        return digits[:KEEP_HEAD] + "*" * (len(digits) - KEEP_HEAD)
    return None


def mask_phones(text: str, *, partial: bool = False) -> str:
    """`text` with every whole phone number in it masked to its first 3 and last 4 digits: `138****8000`.

    A stored number (`13800138000`) is a text of one number. With `partial`, beginnings of numbers (4 digits and
    more starting with 0 or 1) lose all but their first 3 digits too: what a request log must do with the phone
    box's queries typed one digit at a time, so that no two lines together give a number away."""
    if not text:
        return text

    def replace(match: re.Match) -> str:
        written = match.group(0)
        digits = re.sub(r"\D", "", written)
        if written.startswith(("+86", "0086")) or (written.startswith("86") and len(digits) == 13):
            digits = digits[len("0086") if written.startswith("0086") else 2 :]
        masked = _mask_digits(digits, partial=partial)
        return written if masked is None else masked

    return _NUMBER.sub(replace, str(text))
