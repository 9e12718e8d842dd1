"""Uploaded files in an S3-compatible bucket (SeaweedFS here; MinIO, OSS or COS in production): a recording uploaded
through the web, read back whole and by range for seeking, access checked as on disk; a report a worker process
makes, downloaded from the web; a missing file is a clear answer, never a 500."""

import os
import time
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from cac.models import CallLog
from tests.cac.desk.test_views import AUDIO, call_data
from tests.cac.factories import CallLogFactory, CustomerFactory

# The S3 server signs and checks requests on its own clock: a test clock moved away from it would be "skewed".
pytestmark = [pytest.mark.django_db, pytest.mark.real_clock]


def _keys(s3_server, s3_media) -> list[str]:
    """The names stored under the test's prefix, as the storage names them."""
    listing = s3_server["client"].list_objects_v2(Bucket=s3_media["bucket"], Prefix=s3_media["prefix"] + "/")
    return [item["Key"].removeprefix(s3_media["prefix"] + "/") for item in listing.get("Contents", [])]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_recording_is_uploaded_to_the_bucket_and_played_with_seeking(
    agent_client, dealer, s3_server, s3_media, media_root
):
    customer = CustomerFactory(dealer=dealer)
    recording = AUDIO * 40  # some 10 KB
    response = agent_client.post(
        reverse("customer_call_create", args=[customer.pk]),
        {**call_data(), "recording": ContentFile(recording, name="call.mp3")},
    )
    assert response.status_code == 302
    call = CallLog.objects.get(customer=customer)
    assert _keys(s3_server, s3_media) == [call.recording.name]
    assert not media_root.exists() or not any(media_root.rglob("*.mp3"))  # nothing on this machine's disk

    url = reverse("call_recording", args=[call.pk])
    whole = agent_client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert _body(whole) == recording and whole["Content-Length"] == str(len(recording))

    part = agent_client.get(url, HTTP_RANGE="bytes=1000-1999")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 1000-1999/{len(recording)}"
    assert _body(part) == recording[1000:2000]
    tail = agent_client.get(url, HTTP_RANGE="bytes=-10")
    assert _body(tail) == recording[-10:]
    beyond = agent_client.get(url, HTTP_RANGE=f"bytes={len(recording)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(recording)}"


def test_another_dealers_staff_cannot_read_a_recording_from_the_bucket(client, agent, other_agent, dealer, s3_media):
    call = CallLogFactory(customer=CustomerFactory(dealer=dealer), handled_by=agent)
    call.recording.save("call.mp3", ContentFile(AUDIO), save=True)
    client.force_login(other_agent)
    assert client.get(reverse("call_recording", args=[call.pk]), HTTP_RANGE="bytes=0-9").status_code == 404


def test_a_recording_missing_from_the_bucket_is_a_404(agent_client, agent, dealer, s3_server, s3_media):
    call = CallLogFactory(customer=CustomerFactory(dealer=dealer), handled_by=agent)
    call.recording.save("call.mp3", ContentFile(AUDIO), save=True)
    s3_server["client"].delete_object(Bucket=s3_media["bucket"], Key=f"{s3_media['prefix']}/{call.recording.name}")
    assert agent_client.get(reverse("call_recording", args=[call.pk])).status_code == 404


# --- A report made by a worker on another machine, read by the web ---------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_report_made_in_a_worker_process_is_downloaded_from_the_web(
    client, make_user, dealer, s3_server, s3_media, redis_url, postgres, tmp_path, monkeypatch
):
    """The worker is another process with no disk in common with the web but the bucket: what it stores, the web
    serves."""
    from reports.models import MonthlyReport, Status
    from reports.services import monthly_report_request
    from tests.deadlines.test_worker import _database_url
    from tests.test_celery_worker import _env, _start, _stop

    env = _env(tmp_path, broker=redis_url, prefix=f"cac-s3-test-{os.getpid()}-{time.monotonic_ns()}-")
    env.update(
        s3_media["env"],
        DATABASE_URL=_database_url(),
        DATABASE_CONN_MAX_AGE="0",
        CAC_MEDIA_ROOT=str(tmp_path / "worker-disk"),
    )
    worker = _start(
        ["worker", "--loglevel=INFO", "--pool=solo", "-Q", env["CELERY_QUEUE"]], env, tmp_path / "worker.log"
    )
    try:
        from cac.celery import app as celery_app

        # The report's task to the worker's own queue; Celery reads its routes once, so its router is made anew.
        prefix = env["CAC_QUEUE_PREFIX"]
        monkeypatch.setitem(celery_app.conf, "task_routes", {"reports.*": {"queue": f"{prefix}reports"}})
        monkeypatch.setattr(celery_app.amqp, "_rtable", None)
        monkeypatch.setattr(celery_app.amqp, "router", celery_app.amqp.Router())
        report = monthly_report_request(
            dealer_ids=[dealer.pk], month=date(2026, 10, 1), language="en", requested_by=None
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if not report.is_pending:
                break
            time.sleep(0.5)
        assert report.status == Status.READY, (report.status, report.error, (tmp_path / "worker.log").read_text())
    finally:
        _stop(worker)
    connection.close()

    assert _keys(s3_server, s3_media) == [report.file.name]
    assert not (tmp_path / "worker-disk").exists() or not any((tmp_path / "worker-disk").rglob("*.pdf"))
    client.force_login(make_user("executive", dealer))
    response = client.get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 200
    assert _body(response).startswith(b"%PDF")
    assert MonthlyReport.objects.get(pk=report.pk).status == Status.READY
