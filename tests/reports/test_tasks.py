from datetime import date

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse

from reports.models import MonthlyReport, Status
from reports.services import monthly_report_request, monthly_reports_schedule
from reports.tasks import monthly_report_generate_task, monthly_reports_schedule_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(dealer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return monthly_report_request(
            dealer_ids=[dealer.pk], month=date(2026, 3, 1), language="zh-hans", requested_by=None
        )


def test_the_task_produces_the_file_once(queued, march, media_root, pdf_text, client, make_user, dealer):
    assert monthly_report_generate_task.run(report_id=queued.pk) == Status.READY
    queued.refresh_from_db()
    assert queued.status == Status.READY and queued.finished_at and queued.error == ""
    assert queued.snapshot["figures"]["summary"]["received"] == 4  # the figures are kept with the PDF
    path = media_root / queued.file.name
    assert "技师漏检" in pdf_text(path)
    assert monthly_report_generate_task.run(report_id=queued.pk) is None  # a rerun is a no-op
    client.force_login(make_user("director", dealer))
    response = client.get(reverse("reports:download", args=[queued.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_pdf_and_the_kept_figures_are_one_computation(queued, march, media_root, pdf_text, monkeypatch):
    from django.utils import translation

    from reports import snapshot as snapshot_module
    from reports.pdf import report_context

    computed = []
    complaint_figures = snapshot_module.complaint_figures

    def counted(**kwargs):
        computed.append(kwargs)
        return complaint_figures(**kwargs)

    monkeypatch.setattr(snapshot_module, "complaint_figures", counted)
    assert monthly_report_generate_task.run(report_id=queued.pk) == Status.READY
    assert len(computed) == 1
    queued.refresh_from_db()
    text = pdf_text(media_root / queued.file.name)
    with translation.override("zh-hans"):
        tables = {table.key: table for table in report_context(queued.snapshot)["tables"]}
    assert [row[0] for row in tables["major"].rows] == [march["c2"].number, march["c3"].number]
    for row in tables["major"].rows + tables["root_causes"].rows:
        assert row[0] in text
    received = tables["summary"].rows[0]
    assert " ".join(str(cell) for cell in received[:2]) in " ".join(text.split())


def test_a_failure_is_recorded(queued, monkeypatch, media_root):
    from reports import pdf

    def boom(*args, **kwargs):
        raise pdf.MissingCJKFont("No CJK font found")

    monkeypatch.setattr(pdf, "render_snapshot_pdf", boom)
    assert monthly_report_generate_task.run(report_id=queued.pk) == Status.FAILED
    queued.refresh_from_db()
    assert queued.status == Status.FAILED and "No CJK font" in queued.error


def test_beat_schedules_the_previous_month_for_each_dealer_once(
    dealer, other_dealer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reports = monthly_reports_schedule(today=date(2026, 4, 1), language="zh-hans")
        assert monthly_reports_schedule(today=date(2026, 4, 1), language="zh-hans") == []
    assert len(reports) == 2 and len(callbacks) == 2
    assert {r.month for r in reports} == {date(2026, 3, 1)}
    assert sorted(MonthlyReport.objects.values_list("dealers__code", flat=True)) == ["GZ01", "SZ02"]


def test_the_beat_entry_runs_at_two_on_the_first(django_capture_on_commit_callbacks, dealer):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-reports"]
    assert entry["task"] == monthly_reports_schedule_task.name
    assert entry["schedule"] == crontab(hour=2, minute=0, day_of_month=1)
    with django_capture_on_commit_callbacks(execute=False):
        assert monthly_reports_schedule_task.run() == 1
