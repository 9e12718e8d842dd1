"""The monthly report leaves the CAC as a file: each PDF download and each CSV or XLSX export is in the access log,
and none of them carries a customer's whole number (the report names complaints, vehicles and customers, never
their numbers: the executive's copy is the same as everyone's)."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cac.desk.phones import format_mobile
from cac.models import AccessLog, Customer
from reports.models import MonthlyReport, Status
from reports.services import monthly_report_generate, monthly_report_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive(make_user, dealer):
    return make_user("executive", dealer, username="gm")


@pytest.fixture
def ready(dealer, march, media_root, django_capture_on_commit_callbacks) -> MonthlyReport:
    """March's report, generated for real (WeasyPrint) as the worker does."""
    with django_capture_on_commit_callbacks(execute=False):
        report = monthly_report_request(
            dealer_ids=[dealer.pk], month=date(2026, 3, 1), language="zh-hans", requested_by=None
        )
    assert monthly_report_generate(report_id=report.pk).status == Status.READY
    return report


def _whole_numbers() -> list[str]:
    numbers = list(Customer.objects.values_list("mobile", flat=True))
    assert numbers and all(len(number) == 11 for number in numbers)
    return numbers + [format_mobile(number) for number in numbers]


def test_the_executives_pdf_download_is_logged_and_shows_no_whole_number(
    client, executive, ready, tmp_path, pdf_text, march
):
    client.force_login(executive)
    response = client.get(reverse("reports:download", args=[ready.pk]), HTTP_USER_AGENT="WPS Office")
    assert response.status_code == 200
    path = tmp_path / "download.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    text = pdf_text(path)
    assert march["c3"].number in text and "张伟" in text  # the report's own lists are there
    assert [number for number in _whole_numbers() if number in text] == []
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.record_id, entry.dealer_id, entry.user_agent) == (
        executive,
        AccessLog.Action.REPORT_DOWNLOAD,
        ready.pk,
        ready.dealers.get().pk,
        "WPS Office",
    )
    assert entry.record_type.model_class() is MonthlyReport


def test_each_export_is_logged_and_shows_no_whole_number(client, executive, ready, march):
    client.force_login(executive)
    csv_text = client.get(reverse("reports:csv", args=[ready.pk])).content.decode("utf-8-sig")
    workbook = load_workbook(BytesIO(client.get(reverse("reports:xlsx", args=[ready.pk])).content))
    cells = " ".join(
        str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    )
    for content in (csv_text, cells):
        assert march["c3"].number in content
        assert [number for number in _whole_numbers() if number in content] == []
    client.get(reverse("reports:csv", args=[ready.pk]))
    actions = list(AccessLog.objects.order_by("pk").values_list("action", "user", "record_id"))
    assert actions == [
        (AccessLog.Action.EXPORT_CSV, executive.pk, ready.pk),
        (AccessLog.Action.EXPORT_XLSX, executive.pk, ready.pk),
        (AccessLog.Action.EXPORT_CSV, executive.pk, ready.pk),
    ]


def test_a_report_of_two_dealers_is_logged_for_each(
    client, make_user, dealer, other_dealer, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        report = monthly_report_request(
            dealer_ids=[dealer.pk, other_dealer.pk], month=date(2026, 3, 1), language="en", requested_by=None
        )
    monthly_report_generate(report_id=report.pk)
    client.force_login(make_user("director", dealer, other_dealer))
    assert client.get(reverse("reports:xlsx", args=[report.pk])).status_code == 200
    assert set(AccessLog.objects.values_list("dealer_id", flat=True)) == {dealer.pk, other_dealer.pk}


def test_a_refused_or_unready_report_writes_no_log(client, executive, make_user, other_dealer, dealer, media_root):
    queued = monthly_report_request(dealer_ids=[dealer.pk], month=date(2026, 3, 1), language="en", requested_by=None)
    client.force_login(executive)
    for name in ("download", "csv", "xlsx"):
        assert client.get(reverse(f"reports:{name}", args=[queued.pk])).status_code == 404
    client.force_login(make_user("executive", other_dealer))
    assert client.get(reverse("reports:csv", args=[queued.pk])).status_code == 404
    assert not AccessLog.objects.exists()
