from datetime import date

import pytest
from django.urls import reverse

from reports.models import MonthlyReport, Status
from reports.services import monthly_report_request

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


def test_preview_csv_and_xlsx_show_the_same_tables(client, executive, report, march):
    client.force_login(executive)
    preview = client.get(reverse("reports:preview", args=[report.pk]))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "<svg" in html and "技师漏检" in html and march["c3"].number in html
    csv_text = client.get(reverse("reports:csv", args=[report.pk])).content.decode("utf-8-sig")
    assert "技师漏检" in csv_text and march["c3"].number in csv_text and "33.3%" in csv_text
    xlsx = client.get(reverse("reports:xlsx", args=[report.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(xlsx.content))
    assert len(workbook.sheetnames) == 13
    values = [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert 4 in values and "33.3%" in values


def test_download_only_when_ready(client, executive, report, media_root):
    client.force_login(executive)
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404
