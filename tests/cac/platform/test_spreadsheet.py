"""The one rule of every exported cell (cac/platform/spreadsheet.py): text a spreadsheet would run as a formula is made text;
numbers, a negative one included, stay numbers."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy

from cac.platform.spreadsheet import spreadsheet_cell, spreadsheet_row


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-5", "'-5"),  # text that looks like a number is still text
        ("\x0b=1+1", "'=1+1"),  # an invisible control character first does not hide the formula
        ("张伟", "张伟"),
        ("a=b", "a=b"),
        ("'quoted", "'quoted"),
        (" =1", " =1"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_that_would_run_as_a_formula_is_made_text(value, written):
    assert spreadsheet_cell(value) == written


@pytest.mark.parametrize("value", [-5, -2.5, 0, 42, Decimal("-1.25"), date(2026, 3, 1), True])
def test_numbers_and_dates_stay_what_they_are(value):
    assert spreadsheet_cell(value) == value
    assert type(spreadsheet_cell(value)) is type(value)


def test_a_lazy_label_is_written_as_its_text():
    assert spreadsheet_row([gettext_lazy("Dealer"), -1]) in (["经销商", -1], ["Dealer", -1])
