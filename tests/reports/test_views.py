from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from complaints.models import Complaint
from reports.models import MonthlyReport, Status
from reports.services import monthly_report_generate, monthly_report_request
from tests.complaints.factories import ComplaintFactory
from tests.reports.fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive(make_user, dealer):
    return make_user("executive", dealer, username="executive")


@pytest.fixture
def report(dealer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return monthly_report_request(
            dealer_ids=[dealer.pk], month=date(2026, 3, 1), language="zh-hans", requested_by=None
        )


@pytest.fixture
def generate(monkeypatch, media_root):
    """Generate a report as the worker does, with a stand-in PDF (the PDF itself is tested in test_pdf/test_tasks)."""
    from reports import pdf

    monkeypatch.setattr(pdf, "render_snapshot_pdf", lambda snapshot, *, language: b"%PDF-1.7 stand-in")

    def run(report: MonthlyReport) -> MonthlyReport:
        assert monthly_report_generate(report_id=report.pk).status == Status.READY
        report.refresh_from_db()
        return report

    return run


@pytest.fixture
def ready(report, march, generate):
    return generate(report)


def _xlsx_values(content: bytes) -> list:
    workbook = load_workbook(BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]


def test_an_agent_is_refused(agent_client, report):
    assert agent_client.get(reverse("reports:list")).status_code == 403
    assert agent_client.get(reverse("reports:preview", args=[report.pk])).status_code == 403
    assert agent_client.get(reverse("reports:download", args=[report.pk])).status_code == 403


@pytest.mark.parametrize("role", ["executive", "director", "service_manager", "sales_manager"])
def test_executives_directors_and_managers_see_the_reports_page(client, make_user, dealer, report, role):
    client.force_login(make_user(role, dealer))
    response = client.get(reverse("reports:list"))
    assert response.status_code == 200
    assert f'id="report-{report.pk}"' in response.content.decode()
    assert 'id="nav-reports"' in response.content.decode()


def test_requesting_a_month_returns_at_once_and_polls(client, executive, dealer, django_capture_on_commit_callbacks):
    client.force_login(executive)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:list"), {"month": "2026-02", "dealer": str(dealer.pk)}, follow=True)
    assert response.status_code == 200
    report = MonthlyReport.objects.get()
    assert (report.month, report.status, report.requested_by) == (date(2026, 2, 1), Status.QUEUED, executive)
    assert list(report.dealers.all()) == [dealer]
    assert len(callbacks) == 1  # the generation is queued once the request commits
    row = client.get(reverse("reports:row", args=[report.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in row


def test_a_future_month_is_refused(client, executive, dealer):
    client.force_login(executive)
    response = client.post(reverse("reports:list"), {"month": "2999-01", "dealer": str(dealer.pk)})
    assert response.status_code == 200
    assert not MonthlyReport.objects.exists()


def test_another_dealers_report_is_not_found(client, make_user, other_dealer, report):
    client.force_login(make_user("executive", other_dealer))
    assert f'id="report-{report.pk}"' not in client.get(reverse("reports:list")).content.decode()
    for name in ("preview", "download", "csv", "xlsx", "row"):
        assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 404


def test_a_report_of_two_dealers_needs_both(
    client, make_user, dealer, other_dealer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        both = monthly_report_request(
            dealer_ids=[dealer.pk, other_dealer.pk], month=date(2026, 3, 1), language="en", requested_by=None
        )
    client.force_login(make_user("executive", dealer))
    assert client.get(reverse("reports:preview", args=[both.pk])).status_code == 404
    client.force_login(make_user("executive", dealer, other_dealer))
    assert client.get(reverse("reports:preview", args=[both.pk])).status_code == 200


def test_preview_csv_and_xlsx_show_the_same_tables(client, executive, ready, march):
    client.force_login(executive)
    preview = client.get(reverse("reports:preview", args=[ready.pk]))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "<svg" in html and "技师漏检" in html and march["c3"].number in html
    assert 'hx-trigger="every 2s"' not in html  # nothing to wait for
    csv_text = client.get(reverse("reports:csv", args=[ready.pk])).content.decode("utf-8-sig")
    assert "技师漏检" in csv_text and march["c3"].number in csv_text and "33.3%" in csv_text
    xlsx = client.get(reverse("reports:xlsx", args=[ready.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(xlsx.content))
    assert len(workbook.sheetnames) == 16  # the 当事人 breakdown, the corrective actions and their review among them
    values = [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert 4 in values and "33.3%" in values


def test_a_ready_report_shows_what_was_generated_whatever_changes_afterwards(
    client, executive, dealer, ready, march, generate, django_capture_on_commit_callbacks
):
    client.force_login(executive)
    before = {name: client.get(reverse(f"reports:{name}", args=[ready.pk])).content for name in ("csv", "xlsx")}
    # After generation: a March complaint is deleted, another's root cause rewritten, and a new one received.
    Complaint.objects.filter(pk=march["c3"].pk).delete()
    Complaint.objects.filter(pk=march["c1"].pk).update(root_cause="配件缺货")
    ComplaintFactory(customer=march["c1"].customer, received_at=at(3, 28), root_cause="新原因")

    html = client.get(reverse("reports:preview", args=[ready.pk])).content.decode()
    assert march["c3"].number in html and "技师漏检" in html
    assert "配件缺货" not in html and "新原因" not in html
    csv_text = client.get(reverse("reports:csv", args=[ready.pk])).content
    assert csv_text == before["csv"]
    values = _xlsx_values(client.get(reverse("reports:xlsx", args=[ready.pk])).content)
    assert values == _xlsx_values(before["xlsx"])
    assert 4 in values and march["c3"].number in values

    # A report generated now is a new snapshot, with the new figures.
    with django_capture_on_commit_callbacks(execute=False):
        again = monthly_report_request(
            dealer_ids=[dealer.pk], month=date(2026, 3, 1), language="zh-hans", requested_by=None
        )
    generate(again)
    html = client.get(reverse("reports:preview", args=[again.pk])).content.decode()
    assert march["c3"].number not in html and "配件缺货" in html and "新原因" in html


def test_the_preview_of_a_ready_report_reads_no_complaint(client, executive, ready):
    client.force_login(executive)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reports:preview", args=[ready.pk])).status_code == 200
    assert len(captured) <= 12
    assert not [q["sql"] for q in captured if "complaints_" in q["sql"] or "callbacks_" in q["sql"]]


def test_the_preview_is_in_the_readers_language_with_the_same_figures(client, executive, ready):
    client.force_login(executive)
    chinese = client.get(reverse("reports:preview", args=[ready.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(reverse("reports:preview", args=[ready.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "By category" in english and "Repair quality or skill" in english and "33.3%" in english
    assert "By category" not in chinese and "33.3%" in chinese


def test_a_report_not_generated_yet_shows_its_state_and_waits(client, executive, report, march):
    client.force_login(executive)
    html = client.get(reverse("reports:preview", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Queued" in html and 'hx-trigger="every 2s"' in html
    assert "技师漏检" not in html and "report-table" not in html and 'class="chart"' not in html
    assert reverse("reports:csv", args=[report.pk]) not in html
    assert client.get(reverse("reports:csv", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:xlsx", args=[report.pk])).status_code == 404
    row = client.get(reverse("reports:row", args=[report.pk])).content.decode()
    assert reverse("reports:preview", args=[report.pk]) in row and reverse("reports:csv", args=[report.pk]) not in row


def test_a_failed_report_shows_why_and_does_not_wait(client, executive, report, monkeypatch):
    from reports import pdf

    def boom(*args, **kwargs):
        raise pdf.MissingCJKFont("No CJK font found")

    monkeypatch.setattr(pdf, "render_snapshot_pdf", boom)
    assert monthly_report_generate(report_id=report.pk).status == Status.FAILED
    report.refresh_from_db()
    assert report.snapshot is None  # only a generated report keeps its figures
    client.force_login(executive)
    html = client.get(reverse("reports:preview", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Generation failed" in html and "No CJK font found" in html and 'hx-trigger="every 2s"' not in html
    assert client.get(reverse("reports:csv", args=[report.pk])).status_code == 404


def test_a_report_generated_before_snapshots_were_kept_offers_its_pdf(client, executive, dealer):
    old = MonthlyReport.objects.create(month=date(2026, 1, 1), language="zh-hans", status=Status.READY)
    old.dealers.add(dealer)
    client.force_login(executive)
    html = client.get(reverse("reports:preview", args=[old.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "download the PDF" in html and reverse("reports:download", args=[old.pk]) in html
    assert client.get(reverse("reports:xlsx", args=[old.pk])).status_code == 404


def test_download_only_when_ready(client, executive, report, media_root):
    client.force_login(executive)
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_a_ready_report_whose_pdf_is_missing_says_so_instead_of_failing(client, make_user, dealer, report, media_root):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from cac import roles

    report.start(at=timezone.now())
    report.file.save("gone.pdf", ContentFile(b"%PDF-1.7"), save=False)
    report.finish(at=timezone.now(), snapshot={})
    report.save()
    report.file.storage.delete(report.file.name)
    client.force_login(make_user(roles.EXECUTIVE, dealer))
    response = client.get(reverse("reports:download", args=[report.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("reports:list"), 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "The PDF of this report is missing from the file storage; request the report again."
    ]
    assert MonthlyReport.objects.get(pk=report.pk).status == "ready"
