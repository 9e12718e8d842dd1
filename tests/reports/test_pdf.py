from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext

from reports import pdf as report_pdf
from reports.pdf import MissingCJKFont, ensure_cjk_font, render_report_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def march_pdf(dealer, march, tmp_path):
    path = tmp_path / "march.pdf"
    path.write_bytes(render_report_pdf(dealer_ids=[dealer.pk], month=date(2026, 3, 1), language="zh-hans"))
    return path


def test_the_chinese_pdf_holds_the_figures_and_the_labels(march_pdf, pdf_text, march):
    text = pdf_text(march_pdf)
    with translation.override("zh-hans"):
        title = gettext("Monthly complaint analysis")
        received = gettext("Complaints received")
    assert title in text and received in text
    assert "GZ01 广州天河" in text and "2026-03" in text
    assert "维修质量或技术" in text  # the category, in Chinese
    assert "凯美瑞" in text and "技师漏检" in text and "上岗前复训" in text  # the latest measure by date
    assert march["c3"].number in text  # the emergency is listed
    # The summary row: this month, the previous month; no data a year ago.
    assert any(line.split()[-3:] == ["4", "1", "—"] for line in text.splitlines() if received in line), text[:3000]
    assert "33.3%" in text and "84.0" in text and "132.0" in text
    assert "\u25a1" not in text  # no empty boxes
    with translation.override("zh-hans"):
        page = gettext("Page")
    assert f"{page} 3 / " in text  # page numbers in the footer


def test_the_english_pdf(dealer, march, tmp_path, pdf_text):
    path = tmp_path / "en.pdf"
    call_command("monthly_report", dealer=["GZ01"], month="2026-03", language="en", output=str(path))
    text = pdf_text(path)
    assert "Monthly complaint analysis" in text
    assert "Repair quality or skill" in text
    assert "Contents" in text


def test_the_command_writes_chinese_by_default_and_refuses_unknown_dealers(dealer, tmp_path, pdf_text):
    path = tmp_path / "zh.pdf"
    call_command("monthly_report", dealer=["GZ01"], month="2026-03", output=str(path))
    assert "广州天河" in pdf_text(path)
    with pytest.raises(CommandError, match="NOPE"):
        call_command("monthly_report", dealer=["NOPE"], month="2026-03", output=str(path))


def test_an_empty_month_renders(dealer, tmp_path, pdf_text):
    path = tmp_path / "empty.pdf"
    path.write_bytes(render_report_pdf(dealer_ids=[dealer.pk], month=date(2025, 6, 1), language="zh-hans"))
    assert "2025-06" in pdf_text(path)


def test_rendering_stops_without_a_cjk_font(monkeypatch, dealer):
    class Empty:
        stdout = ""

    monkeypatch.setattr(report_pdf.subprocess, "run", lambda *a, **k: Empty())
    with pytest.raises(MissingCJKFont, match="fonts-noto-cjk"):
        ensure_cjk_font()
    with pytest.raises(MissingCJKFont):
        render_report_pdf(dealer_ids=[dealer.pk], month=date(2026, 3, 1), language="zh-hans")


def test_pages_rendered_for_a_person_to_look_at(march_pdf, pdf_to_png, artifacts):
    for page, name in [(1, "cover"), (3, "summary"), (4, "breakdowns"), (7, "trend")]:
        png = pdf_to_png(march_pdf, page=page, out_prefix=artifacts / f"monthly-report-{name}")
        assert png.stat().st_size > 5000
    (artifacts / "monthly-report.pdf").write_bytes(march_pdf.read_bytes())
