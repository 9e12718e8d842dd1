"""The monthly complaint analysis as a PDF (WeasyPrint), and the exports of its tables (CSV, XLSX)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from cac.platform.spreadsheet import spreadsheet_row
from reports.snapshot import report_snapshot, snapshot_dealers, snapshot_figures, snapshot_generated_at
from reports.tables import Table, month_label, report_tables


class MissingCJKFont(ImproperlyConfigured):
    """Without a CJK font, WeasyPrint prints Chinese as empty boxes: refuse to render instead."""


def ensure_cjk_font() -> None:
    """Stop with a clear error unless fontconfig knows a font for Chinese (`fc-list :lang=zh`)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise MissingCJKFont("fc-list not found: install fontconfig and fonts-noto-cjk to render reports.")
    found = subprocess.run(  # noqa: S603 - fixed arguments, no user input
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    if not found:
        raise MissingCJKFont(
            "No CJK font found (fc-list :lang=zh is empty): install fonts-noto-cjk, or Chinese prints as boxes."
        )


def report_context(snapshot: dict) -> dict:
    """Figures and tables of a report's snapshot, labelled in the active language: what the PDF, the preview, the
    CSV and the XLSX show."""
    figures = snapshot_figures(snapshot)
    separator = "、" if (translation.get_language() or "").startswith("zh") else ", "
    return {
        "figures": figures,
        "tables": report_tables(figures),
        "dealer_names": separator.join(f"{code} {name}" for code, name in snapshot_dealers(snapshot)),
        "month_label": month_label(figures.month),
        "generated_at": snapshot_generated_at(snapshot),
    }


def render_snapshot_pdf(snapshot: dict, *, language: str) -> bytes:
    """The PDF of a report's snapshot in `language`: cover, table of contents, summary, breakdowns with charts,
    lists."""
    from weasyprint import HTML

    ensure_cjk_font()
    with translation.override(language):
        context = report_context(snapshot)
        context["language"] = language
        html = render_to_string("reports/report_pdf.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_report_pdf(*, dealer_ids, month: date, language: str) -> bytes:
    """The report of `dealer_ids` for `month` as it stands now, in `language` (the command line, the benchmark)."""
    ensure_cjk_font()  # before the figures are computed: without a font there is no point
    return render_snapshot_pdf(report_snapshot(dealer_ids=dealer_ids, month=month), language=language)


def tables_csv(tables: list[Table]) -> str:
    """All tables in one CSV: each table's title, its header row and rows, a blank line between tables."""
    out = io.StringIO()
    writer = csv.writer(out)
    for table in tables:
        writer.writerow(spreadsheet_row([table.title]))
        writer.writerow(spreadsheet_row(table.headers))
        writer.writerows([spreadsheet_row(row) for row in table.rows])
        writer.writerow([])
    return "\ufeff" + out.getvalue()  # a BOM so that Excel opens the Chinese text as UTF-8


def tables_xlsx(tables: list[Table]) -> bytes:
    """All tables in one workbook, a sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        title = re.sub(r"[\\/?*\[\]:]", "-", table.title)[:31]
        sheet = workbook.create_sheet(title=title or table.key)
        sheet.append(spreadsheet_row(table.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(spreadsheet_row(row))
        for index, _header in enumerate(table.headers, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 22 if index == 1 else 16
    if not workbook.sheetnames:
        workbook.create_sheet(title=_("Summary"))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
