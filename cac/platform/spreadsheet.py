"""Exports that are safe to open in Excel or WPS (OWASP "CSV injection"): the one rule for every cell of a CSV or XLSX.

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be read by the spreadsheet as a
formula (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(...)`): it gets a leading apostrophe, which makes it text.
Only text is touched: numbers (a negative figure included), dates and empty cells stay what they are, so a column of
figures can still be summed. Invisible control characters, which an XLSX file cannot hold, are dropped. Customer
names, complaint texts, root causes and every other typed-in value reach an export only through `spreadsheet_cell`.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (openpyxl refuses them) and no one can see: dropped.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_cell(value):
    """The value to write into a CSV or XLSX cell: text that a spreadsheet would run as a formula is made text."""
    if value is None:
        return ""
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    if not isinstance(value, str):
        return value
    value = _INVISIBLE.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def spreadsheet_row(values) -> list:
    return [spreadsheet_cell(value) for value in values]
