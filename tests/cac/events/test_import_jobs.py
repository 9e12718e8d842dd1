"""The DMS import as a worker's job: queued by the request, written by the task, failed by the reaper when its
worker was killed. The monthly report's reaper beside it."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django_fsm import TransitionNotAllowed

from cac.events.import_jobs import dms_import_request, dms_import_run, dms_imports_reap
from cac.events.import_models import DmsImport, DmsImportStatus
from cac.models import Sale
from cac.platform.reaper import reap_stuck
from cac.tasks import dms_import_task, sweep_deadlines_task
from reports.models import MonthlyReport
from reports.models import Status as ReportStatus
from reports.services import monthly_report_request
from tests.callbacks.event_support import DELIVERY_HEADER, csv_bytes, delivery_row

pytestmark = pytest.mark.django_db

# 01:30 in Shanghai on the 1st, still the last day of the month in UTC.
NIGHT = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)


def row(serial: int, **fields) -> list[str]:
    return delivery_row(serial, day=date(2026, 11, 20), **fields)


@pytest.fixture
def queue(agent, dealer, media_root, django_capture_on_commit_callbacks):
    def make(rows, *, good_rows_only=False) -> DmsImport:
        with django_capture_on_commit_callbacks(execute=False) as enqueued:
            job = dms_import_request(
                dealer=dealer,
                kind="deliveries",
                filename="交车.csv",
                content=csv_bytes(DELIVERY_HEADER, rows),
                good_rows_only=good_rows_only,
                acting_user=agent,
            )
        assert len(enqueued) == 1
        return job

    return make


def test_the_task_imports_the_stored_file_once(queue):
    job = queue([row(1), row(2)])
    assert job.status == DmsImportStatus.QUEUED and job.file.name.startswith("imports/")
    with time_machine.travel(NIGHT, tick=False):
        assert dms_import_task.run(import_id=job.pk) == DmsImportStatus.DONE
    job.refresh_from_db()
    assert (job.created, job.present, job.bad) == (2, 0, 0)
    assert job.started_at == job.finished_at == NIGHT
    assert Sale.objects.count() == 2
    assert dms_import_task.run(import_id=job.pk) is None  # a redelivered message: a no-op
    assert Sale.objects.count() == 2


def test_rows_that_became_bad_since_the_check_fail_the_import_and_write_nothing(queue):
    job = queue([row(1), row(2, mobile="123")])
    job = dms_import_run(import_id=job.pk)
    assert job.status == DmsImportStatus.FAILED
    assert [row["line"] for row in job.errors] == [3] and job.bad == 1
    assert not Sale.objects.exists()


def test_good_rows_only_imports_the_good_rows_and_reports_the_bad(queue):
    job = dms_import_run(import_id=queue([row(1), row(2, mobile="123")], good_rows_only=True).pk)
    assert (job.status, job.created, job.bad) == (DmsImportStatus.DONE, 1, 1)


def test_an_unreadable_stored_file_fails_the_import_with_its_reason(queue):
    job = queue([row(1)])
    job.file.storage.delete(job.file.name)
    job = dms_import_run(import_id=job.pk)
    assert job.status == DmsImportStatus.FAILED and "FileNotFoundError" in job.error


def test_transitions_allowed_and_refused():
    job = DmsImport()
    with pytest.raises(TransitionNotAllowed):
        job.finish(at=NIGHT, created=0, present=0, bad=0, errors=[])
    job.start(at=NIGHT)
    with pytest.raises(TransitionNotAllowed):
        job.start(at=NIGHT)
    job.finish(at=NIGHT, created=1, present=0, bad=0, errors=[])
    for refused in (lambda: job.fail(at=NIGHT, error="x"), lambda: job.start(at=NIGHT)):
        with pytest.raises(TransitionNotAllowed):
            refused()
    queued = DmsImport()
    queued.fail(at=NIGHT, error="broker lost it")
    assert queued.status == DmsImportStatus.FAILED


def test_the_reaper_fails_an_import_left_running_past_its_limit_once(queue, settings):
    settings.CAC_IMPORT_TIME_LIMIT = 900
    job = queue([row(1)])
    job.start(at=NIGHT)
    job.save(update_fields=["status", "started_at"])
    assert dms_imports_reap(now=NIGHT + timedelta(seconds=959)) == 0  # within the limit and its minute of grace
    assert dms_imports_reap(now=NIGHT + timedelta(seconds=961)) == 1
    job.refresh_from_db()
    assert job.status == DmsImportStatus.FAILED and "time limit" in job.error
    assert dms_imports_reap(now=NIGHT + timedelta(hours=1)) == 0
    assert dms_import_run(import_id=job.pk) is None  # the killed worker's message, redelivered: left alone


def test_the_reaper_fails_a_report_left_generating(dealer, settings, django_capture_on_commit_callbacks):
    settings.CAC_REPORT_TIME_LIMIT = 600
    with django_capture_on_commit_callbacks(execute=False):
        report = monthly_report_request(
            dealer_ids=[dealer.pk], month=date(2026, 10, 1), language="en", requested_by=None
        )
        waiting = monthly_report_request(
            dealer_ids=[dealer.pk], month=date(2026, 9, 1), language="en", requested_by=None
        )
    report.start(at=NIGHT)
    report.save(update_fields=["status", "started_at"])
    with time_machine.travel(NIGHT + timedelta(minutes=12), tick=False):
        counts = sweep_deadlines_task.run()
    assert counts["stuck monthly reports failed"] == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and not report.is_pending
    assert MonthlyReport.objects.get(pk=waiting.pk).status == ReportStatus.QUEUED  # queued is not stuck
    assert reap_stuck(now=NIGHT + timedelta(hours=2)) == {}
